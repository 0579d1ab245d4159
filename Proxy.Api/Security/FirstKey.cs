using McpOrch.Core.Security;

namespace Proxy.Api.Security;

/// <summary>
/// Safe by default: with authentication on and no key anywhere, the first start makes an admin key (every
/// permission), keeps its hash and prints the secret on the console, this once. It never goes to the log, which
/// may be shipped elsewhere (OTLP). Over stdio no key is made (<paramref name="overStdio"/>): the console there is the
/// MCP client's log, and the stdio session needs none; the HTTP side then says how to get one.
/// </summary>
public sealed partial class FirstKey(ApiKeys keys, ILogger<FirstKey> logger, bool overStdio = false) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (overStdio)
        {
            if (!await keys.AnyAsync(cancellationToken))
                LogNoKey(logger);
            return;
        }
        if (await keys.CreateFirstKeyAsync(cancellationToken) is not { } created)
            return;
        Console.Out.WriteLine($"""

            ================================================================================
             MCP Orch made its first API key, with every permission. It is shown only now:

               {created.Secret}

             Send it as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'. Keep it in a
             secret store; make narrower keys with POST /admin/keys, then revoke this one
             (DELETE /admin/keys/{created.Key.Id}).
            ================================================================================

            """);
        LogCreated(logger, created.Key.Id, created.Key.Prefix!);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "No API key existed: made the admin key {Id} ({Prefix}…); its secret was printed on the console, once.")]
    static partial void LogCreated(ILogger logger, string id, string prefix);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The HTTP endpoints need an API key and none exists, so every HTTP request gets 401 (MCP over stdio needs none). " +
        "Set API_KEY in the client's \"env\" for this server, or start mcp-orch once in a terminal: it then makes an admin key and shows it.")]
    static partial void LogNoKey(ILogger logger);
}
