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

    /// <summary>Room for the JSON-RPC envelope and SSE framing around a result, when an answer is cut off as it arrives.</summary>
    const int EnvelopeBytes = 64 * 1024;

    /// <param name="server">The server as configured.</param>
    /// <param name="stderrLog">Where a stdio server's stderr goes.</param>
    /// <param name="standardError">Where its stderr is kept too, when it is the server's shared connection.</param>
    /// <param name="loggerFactory">The SDK's log.</param>
    /// <param name="maxResultBytes">
    /// <c>security.max_result_bytes</c>: a Streamable HTTP answer is cut off soon after it (the SDK would read it
    /// whole). A stdio server's answer is one line, which the SDK reads whole before anyone can look at it.
    /// </param>
    public static IClientTransport Create(McpServerDefinition server, ILogger stderrLog, StandardErrorLog? standardError, ILoggerFactory loggerFactory,
        long maxResultBytes) =>
        server.Transport switch
        {
            McpTransportKind.Stdio => new WatchedTransport(new StdioClientTransport(Stdio(server, stderrLog, standardError), loggerFactory)),
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
            }, new HttpClient(new AnswerSizeLimit(maxResultBytes + EnvelopeBytes)), loggerFactory, ownsHttpClient: true),
        };

    static StdioClientTransportOptions Stdio(McpServerDefinition server, ILogger stderrLog, StandardErrorLog? standardError)
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
            StandardErrorLines = line =>
            {
                LogStandardError(stderrLog, server.Name, line);
                standardError?.Write(line);
            },
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
