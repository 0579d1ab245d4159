using McpOrch.Core.Configuration;
using Microsoft.Extensions.Logging;

namespace McpOrch.Core.Upstreams;

/// <summary>
/// The secrets of every server configured since the service started (see <see cref="SecretRedactor"/>), replaced by
/// <c>***</c> in every line of the service's log, whoever writes it (ours, the MCP SDK, YARP, ASP.NET Core, HttpClient)
/// and wherever it goes (console, OTLP). A removed server's secrets are kept: a line about it may come after the reload.
/// </summary>
public sealed class ServerSecrets(McpServersConfiguration configured)
{
    readonly Lock _adding = new();
    SecretRedactor _redactor = SecretRedactor.For(configured.Servers);

    /// <summary>Adds the secrets of <paramref name="servers"/> (a reload's), before their connections log anything.</summary>
    public void Add(IEnumerable<McpServerDefinition> servers)
    {
        lock (_adding)
            Volatile.Write(ref _redactor, _redactor.With(servers));
    }

    /// <summary><paramref name="text"/> as a log line would show it: every configured server's secrets replaced with <c>***</c>.</summary>
    public string Redact(string text) => Volatile.Read(ref _redactor).Redact(text);

    /// <summary>The loggers of <paramref name="inner"/>, redacted; disposing it disposes <paramref name="inner"/>.</summary>
    public ILoggerFactory Wrap(ILoggerFactory inner) => new RedactingLoggerFactory(inner, () => Volatile.Read(ref _redactor));
}
