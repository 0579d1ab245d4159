using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Proxy.Api.Tests;

/// <summary>Client options that count <c>notifications/tools/list_changed</c>, and a wait for a tool to appear after them.</summary>
public sealed class ListChangedListener : IDisposable
{
    readonly SemaphoreSlim _notifications = new(0);

    /// <summary>Options for an initialize-based session (2025-11-25), as AI clients open them today.</summary>
    public McpClientOptions Options => new()
    {
        ProtocolVersion = "2025-11-25",
        Handlers = new McpClientHandlers
        {
            NotificationHandlers = [new(NotificationMethods.ToolListChangedNotification, (_, _) =>
            {
                _notifications.Release();
                return ValueTask.CompletedTask;
            })],
        },
    };

    /// <summary>
    /// Lists the tools after each notification until <paramref name="tool"/> is there: one notification may still be
    /// about an earlier change. Fails when 30 s pass without one.
    /// </summary>
    public async Task<IList<McpClientTool>> WaitForToolAsync(McpClient client, string tool, CancellationToken cancellationToken)
    {
        IList<McpClientTool> tools;
        do
        {
            Assert.True(await _notifications.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken), "no notifications/tools/list_changed arrived");
            tools = await client.ListToolsAsync(cancellationToken: cancellationToken);
        }
        while (!tools.Any(t => t.Name == tool));
        return tools;
    }

    public void Dispose() => _notifications.Dispose();
}
