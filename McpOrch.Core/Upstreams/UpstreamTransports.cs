using McpOrch.Core.Configuration;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;

namespace McpOrch.Core.Upstreams;

/// <summary>The SDK transport for a configured server.</summary>
internal static partial class UpstreamTransports
{
    public static IClientTransport Create(McpServerDefinition server, ILogger stderrLog, ILoggerFactory loggerFactory) =>
        server.Transport switch
        {
            McpTransportKind.Stdio => new StdioClientTransport(new StdioClientTransportOptions
            {
                Name = server.Name,
                Command = server.Command!,
                Arguments = [.. server.Args],
                WorkingDirectory = server.WorkingDirectory,
                // A minimal environment: what a program needs to run, plus what the configuration gives it —
                // never the proxy's own secrets (API keys, JWT secret, cloud credentials).
                InheritEnvironmentVariables = false,
                EnvironmentVariables = MinimalEnvironment(server.Env),
                StandardErrorLines = line => LogStandardError(stderrLog, server.Name, line),
            }, loggerFactory),
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
