using System.Diagnostics;
using ModelContextProtocol.Client;

namespace McpOrch.Testing;

/// <summary>How to run one of the npm packages in <c>tests/servers</c> with the Node 22 it carries.</summary>
/// <param name="Command">The Node 22 binary.</param>
/// <param name="Arguments">The package's entry script, then its arguments.</param>
/// <param name="EnvironmentVariables">Set on top of the inherited environment: PATH with Node 22 first, plus the server's own settings.</param>
public sealed record NodeCommand(string Command, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> EnvironmentVariables)
{
    /// <summary>The options for an MCP client that talks to this server over stdio.</summary>
    public StdioClientTransportOptions ToStdioTransportOptions(string name) => new()
    {
        Name = name,
        Command = Command,
        Arguments = [.. Arguments],
        EnvironmentVariables = EnvironmentVariables.ToDictionary(e => e.Key, e => (string?)e.Value),
    };

    /// <summary>A start info for running the command directly (the conformance CLI, an HTTP-mode server).</summary>
    public ProcessStartInfo ToStartInfo()
    {
        var startInfo = new ProcessStartInfo(Command, Arguments);
        foreach (var (name, value) in EnvironmentVariables)
            startInfo.Environment[name] = value;
        return startInfo;
    }

    public override string ToString() => string.Join(' ', [Command, .. Arguments]);
}
