using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
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

    /// <summary>
    /// A stdio server entry for mcp-config.json: this command, its arguments and its own settings (PATH is left to
    /// the gateway's minimal environment), and the server's call timeout when given.
    /// </summary>
    public JsonObject ToMcpServerEntry(double? timeoutSeconds = null)
    {
        var server = new JsonObject
        {
            ["command"] = Command,
            ["args"] = new JsonArray([.. Arguments.Select(a => JsonValue.Create(a))]),
            ["env"] = JsonSerializer.SerializeToNode(EnvironmentVariables.Where(e => e.Key != "PATH").ToDictionary()),
        };
        if (timeoutSeconds is not null)
            server["timeout"] = timeoutSeconds;
        return server;
    }

    public override string ToString() => string.Join(' ', [Command, .. Arguments]);
}
