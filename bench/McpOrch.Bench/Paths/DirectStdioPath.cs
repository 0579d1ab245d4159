using McpOrch.Bench.Processes;
using ModelContextProtocol.Client;

namespace McpOrch.Bench.Paths;

/// <summary>Path A: the client starts server-everything itself and talks to it over stdio; one process per session.</summary>
public sealed class DirectStdioPath(NodePackages packages) : BenchPath
{
    public override string Key => "A";
    public override string Name => "direct stdio";
    public override string Tool => "echo";
    public override IReadOnlyList<string> TypeScriptTarget => ["--", .. packages.EverythingCommand];

    /// <summary>Not thread-safe: sessions are opened one after another so that each new child is this session's server.</summary>
    public override async Task<BenchSession> ConnectAsync(CancellationToken cancellationToken)
    {
        var self = Environment.ProcessId;
        var before = ProcFs.Children(self).ToHashSet();
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "everything",
            Command = packages.Node,
            Arguments = [packages.Everything, "stdio"],
        });
        var client = await McpClient.CreateAsync(transport, ClientOptions(), cancellationToken: cancellationToken);
        var server = ProcFs.Children(self).Where(pid => !before.Contains(pid))
            .FirstOrDefault(pid => ProcFs.CommandLine(pid) is [_, var script, ..] && script == packages.Everything);
        if (server == 0)
        {
            await client.DisposeAsync();
            throw new InvalidOperationException("the server process of a new direct stdio session was not found among this program's children");
        }
        return new BenchSession(client, server);
    }
}
