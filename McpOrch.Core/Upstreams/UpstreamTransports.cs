using McpOrch.Core.Configuration;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpOrch.Core.Upstreams;

/// <summary>The SDK transport for a configured server.</summary>
internal static partial class UpstreamTransports
{
    /// <summary>
    /// How long a stdio server has to exit after its stdin closes before its process tree is killed: short, since MCP
    /// clients give the gateway itself about two seconds to exit after closing its stdin.
    /// </summary>
    static readonly TimeSpan ShutdownGrace = TimeSpan.FromMilliseconds(500);

    public static IClientTransport Create(McpServerDefinition server, ILogger stderrLog, ILoggerFactory loggerFactory) =>
        server.Transport switch
        {
            McpTransportKind.Stdio => new WatchedTransport(new StdioClientTransport(Stdio(server, stderrLog), loggerFactory)),
            _ => new HttpClientTransport(new HttpClientTransportOptions
            {
                Name = server.Name,
                Endpoint = server.Url!,
                TransportMode = server.Transport switch
                {
                    McpTransportKind.StreamableHttp => HttpTransportMode.StreamableHttp,
                    McpTransportKind.Sse => HttpTransportMode.Sse,
                    _ => HttpTransportMode.AutoDetect,
                },
                AdditionalHeaders = server.Headers.ToDictionary(),
            }, loggerFactory),
        };

    static StdioClientTransportOptions Stdio(McpServerDefinition server, ILogger stderrLog)
    {
        var (command, arguments) = ServerWatchdog.SessionOf(server.Command!, server.Args);
        return new StdioClientTransportOptions
        {
            Name = server.Name,
            Command = command,
            Arguments = arguments,
            WorkingDirectory = server.WorkingDirectory,
            // A minimal environment: what a program needs to run, plus what the configuration gives it —
            // never the proxy's own secrets (API keys, JWT secret, cloud credentials).
            InheritEnvironmentVariables = false,
            EnvironmentVariables = MinimalEnvironment(server.Env),
            StandardErrorLines = line => LogStandardError(stderrLog, server.Name, line),
            ShutdownTimeout = ShutdownGrace,
        };
    }

    /// <summary>Tells the <see cref="ServerWatchdog"/> of every server process it starts.</summary>
    sealed class WatchedTransport(IClientTransport inner) : IClientTransport
    {
        public string Name => inner.Name;

        public async Task<ITransport> ConnectAsync(CancellationToken cancellationToken = default)
        {
            var transport = await inner.ConnectAsync(cancellationToken);
            ServerWatchdog.Update();
            return transport;
        }
    }

    static Dictionary<string, string?> MinimalEnvironment(IReadOnlyDictionary<string, string> configured)
    {
        var environment = StdioClientTransportOptions.GetDefaultEnvironmentVariables();
        foreach (var (name, value) in configured)
            environment[name] = value;
        return environment!;
    }

    [LoggerMessage(LogLevel.Information, "{Server} stderr: {Line}")]
    static partial void LogStandardError(ILogger logger, string server, string line);
}
