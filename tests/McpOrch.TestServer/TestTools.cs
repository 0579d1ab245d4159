using System.ComponentModel;
using ModelContextProtocol.Server;

namespace McpOrch.TestServer;

/// <summary>Tools that make the server do what a proxy must cope with.</summary>
[McpServerToolType]
public sealed class TestTools
{
    [McpServerTool(Name = "add_tool"), Description("Adds a tool named `name` to this server, which then sends notifications/tools/list_changed.")]
    public static string AddTool(McpServer server, string name)
    {
        server.ServerOptions.ToolCollection!.Add(McpServerTool.Create(() => $"I am {name}", new McpServerToolCreateOptions { Name = name }));
        return $"added {name}";
    }

    [McpServerTool(Name = "wait"), Description("Waits `seconds`; if the call is cancelled first, writes `cancelled` to the file `marker`.")]
    public static async Task<string> Wait(double seconds, string marker, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken);
            return "waited";
        }
        catch (OperationCanceledException)
        {
            await File.WriteAllTextAsync(marker, "cancelled", CancellationToken.None);
            throw;
        }
    }
}
