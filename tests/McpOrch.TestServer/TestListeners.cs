using System.Collections.Concurrent;
using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpOrch.TestServer;

/// <summary>
/// A 2026-07-28 server's side of <c>subscriptions/listen</c> with resources, which SDK 2.3.1 leaves to the server (its
/// own handler grants list changes only): the stream is kept open, tool list changes go on it when asked for, and
/// <c>touch</c> sends <c>resources/updated</c> on each stream that subscribed to the URI, all tagged with its id.
/// </summary>
[McpServerToolType, McpServerResourceType]
public sealed class TestListeners
{
    static readonly ConcurrentDictionary<RequestId, (McpServer Server, IList<string> Uris)> Streams = new();

    public static async ValueTask<EmptyResult> ListenAsync(RequestContext<SubscriptionsListenRequestParams> request, CancellationToken cancellationToken)
    {
        var id = request.JsonRpcRequest.Id;
        var asked = request.Params?.Notifications ?? new SubscriptionsListenNotifications();
        Streams[id] = (request.Server, asked.ResourceSubscriptions ?? []);
        var tools = request.Server.ServerOptions.ToolCollection!;
        EventHandler toolsChanged = (_, _) => _ = SendAsync(request.Server, id, NotificationMethods.ToolListChangedNotification, [], CancellationToken.None);
        if (asked.ToolsListChanged == true)
            tools.Changed += toolsChanged;
        try
        {
            await SendAsync(request.Server, id, "notifications/subscriptions/acknowledged",
                new JsonObject { ["notifications"] = JsonSerializer.SerializeToNode(asked, McpJsonUtilities.DefaultOptions) }, cancellationToken);
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The client closed the stream.
        }
        finally
        {
            tools.Changed -= toolsChanged;
            Streams.TryRemove(id, out _);
        }
        return new EmptyResult();
    }

    [McpServerResource(UriTemplate = "test://note", Name = "note"), Description("A note that touch says changed.")]
    public static string Note() => "a note";

    [McpServerTool(Name = "touch"), Description("Sends resources/updated for `uri` on every subscriptions/listen stream that subscribed to it.")]
    public static async Task<string> Touch(string uri, CancellationToken cancellationToken)
    {
        var told = 0;
        foreach (var (id, (server, uris)) in Streams)
            if (uris.Contains(uri))
            {
                await SendAsync(server, id, NotificationMethods.ResourceUpdatedNotification, new JsonObject { ["uri"] = uri }, cancellationToken);
                told++;
            }
        return $"told {told} stream(s)";
    }

    static Task SendAsync(McpServer server, RequestId id, string method, JsonObject parameters, CancellationToken cancellationToken)
    {
        parameters["_meta"] = new JsonObject { ["io.modelcontextprotocol/subscriptionId"] = JsonSerializer.SerializeToNode(id, McpJsonUtilities.DefaultOptions) };
        return server.SendMessageAsync(new JsonRpcNotification { Method = method, Params = parameters }, cancellationToken);
    }
}
