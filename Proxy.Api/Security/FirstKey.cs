using McpOrch.Core.Security;

namespace Proxy.Api.Security;

/// <summary>
/// Safe by default: with authentication on and no key anywhere, the first start makes an admin key (every
/// permission), keeps its hash and prints the secret on the console, this once. It never goes to the log, which
/// may be shipped elsewhere (OTLP).
/// </summary>
public sealed partial class FirstKey(ApiKeys keys, ILogger<FirstKey> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
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
}
