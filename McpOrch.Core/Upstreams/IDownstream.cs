using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;

namespace McpOrch.Core.Upstreams;

/// <summary>
/// The client session a request to an upstream comes from: where the upstream's progress notifications for that
/// request go, and its sampling, elicitation and roots requests while the request runs.
/// </summary>
public interface IDownstream
{
    /// <summary>What the client declared it can do (sampling, elicitation, roots).</summary>
    ClientCapabilities? Capabilities { get; }

    /// <summary>The log level the client set (<c>logging/setLevel</c>), passed to 2026-07-28 servers in each request's <c>_meta</c>.</summary>
    LoggingLevel? LogLevel { get; }

    /// <summary>Sends a request to the client and returns its result.</summary>
    Task<JsonNode?> RequestAsync(string method, JsonNode? parameters, CancellationToken cancellationToken);

    /// <summary>Sends a notification to the client.</summary>
    Task NotifyAsync(string method, JsonNode? parameters, CancellationToken cancellationToken);
}
