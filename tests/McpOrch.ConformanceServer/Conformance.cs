using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpOrch.ConformanceServer;

/// <summary>The MCP server of the conformance scenarios, whatever the transport.</summary>
public static class Conformance
{
    /// <summary>A 1x1 red PNG.</summary>
    public const string PngBase64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

    /// <summary>A WAV file with one silent 16-bit sample.</summary>
    public const string WavBase64 = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQIAAAAAAA==";

    /// <summary>Values offered by completion/complete, whatever the argument.</summary>
    static readonly string[] Completions = ["paris", "park", "party", "test", "testing"];

    /// <summary>The resource URIs each session subscribed to.</summary>
    static readonly ConditionalWeakTable<McpServer, ConcurrentDictionary<string, byte>> Subscriptions = new();

    public static IMcpServerBuilder AddServer(IServiceCollection services) =>
        services.AddMcpServer(o => o.ServerInfo = new() { Name = "mcp-orch-conformance-server", Version = "1.0.0" })
            .WithTools<ConformanceTools>()
            .WithTools([ConformanceTools.JsonSchema202012Tool()])
            .WithResources<ConformanceResources>()
            .WithPrompts<ConformancePrompts>()
            .WithCompleteHandler((request, _) =>
            {
                var value = request.Params?.Argument.Value ?? "";
                var values = Completions.Where(c => c.StartsWith(value, StringComparison.OrdinalIgnoreCase)).ToList();
                return ValueTask.FromResult(new CompleteResult { Completion = new() { Values = values, Total = values.Count, HasMore = false } });
            })
            .WithSubscribeToResourcesHandler((request, _) =>
            {
                if (request.Params?.Uri is { } uri)
                    Subscriptions.GetOrCreateValue(request.Server).TryAdd(uri, 0);
                return ValueTask.FromResult(new EmptyResult());
            })
            .WithUnsubscribeFromResourcesHandler((request, _) =>
            {
                if (request.Params?.Uri is { } uri && Subscriptions.TryGetValue(request.Server, out var uris))
                    uris.TryRemove(uri, out byte _);
                return ValueTask.FromResult(new EmptyResult());
            });
}
