using System.Diagnostics;
using System.Text.Json.Nodes;
using McpOrch.Bench.Processes;

namespace McpOrch.Bench.Paths;

/// <summary>How each path is started. Every gateway listens on a free port of 127.0.0.1 and runs the same server-everything.</summary>
public static class Gateways
{
    public static readonly IReadOnlyDictionary<string, string> Names = new Dictionary<string, string>
    {
        ["A"] = "direct stdio",
        ["B"] = "MCP Orch",
        ["C"] = "supergateway",
        ["D"] = "mcp-proxy",
        ["E"] = "MCP Orch, 2026-07-28 client",
    };

    public static async Task<BenchPath> StartAsync(string key, BenchOptions options, NodePackages packages, CancellationToken cancellationToken)
    {
        var port = LoopbackPort.FindFree();
        var endpoint = new Uri($"http://127.0.0.1:{port}/mcp");
        var log = Path.Combine(options.OutputDirectory, $"{key}-{Names[key].Replace(", ", "-").Replace(' ', '-')}.log");
        var pids = Path.Combine(options.OutputDirectory, "pids");
        return key switch
        {
            "A" => new DirectStdioPath(packages),
            "B" => await HttpGatewayPath.StartAsync(key, Names[key], "everything.echo", McpOrch(options, packages, port), endpoint, log, pids, cancellationToken),
            "C" => await HttpGatewayPath.StartAsync(key, Names[key], "echo", Supergateway(packages, port, options.SupergatewayLogLevel), endpoint, log, pids, cancellationToken),
            "D" => await HttpGatewayPath.StartAsync(key, Names[key], "echo", McpProxy(packages, port), endpoint, log, pids, cancellationToken),
            // MCP Orch again, asked in 2026-07-28: no session, the revision and capabilities in every request.
            "E" => await HttpGatewayPath.StartAsync(key, Names[key], "everything.echo", McpOrch(options, packages, port), endpoint, log, pids, cancellationToken,
                protocolVersion: "2026-07-28"),
            _ => throw new ArgumentOutOfRangeException(nameof(key), key, "a path is A, B, C, D or E"),
        };
    }

    /// <summary><c>dotnet mcp-orch.dll</c> (Release), in a folder whose mcp-config.json names server-everything as "everything".</summary>
    static ProcessStartInfo McpOrch(BenchOptions options, NodePackages packages, int port)
    {
        var dll = Path.Combine(options.Repository, "Proxy.Api", "bin", "Release", "net10.0", "mcp-orch.dll");
        if (!File.Exists(dll))
            throw new FileNotFoundException($"{dll} is missing: build it with `dotnet build Proxy.Api -c Release` (bench/run.sh does)");
        var folder = Directory.CreateDirectory(Path.Combine(options.OutputDirectory, "mcp-orch")).FullName;
        var config = new JsonObject
        {
            ["mcpServers"] = new JsonObject
            {
                ["everything"] = new JsonObject
                {
                    ["command"] = packages.Node,
                    ["args"] = new JsonArray(packages.Everything, "stdio"),
                },
            },
        };
        File.WriteAllText(Path.Combine(folder, "mcp-config.json"), config.ToJsonString());
        var startInfo = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"]) { WorkingDirectory = folder };
        // Like the gateways it is compared with, which have no authentication: on loopback, keys may be off.
        // Every call still goes through the tool gate (allow-list, result size, audit log).
        startInfo.Environment["McpOrch__Security__EnableAuth"] = "false";
        startInfo.Environment["MCP_ORCH_DATA_DIR"] = Path.Combine(folder, "data");
        foreach (var (name, value) in options.OrchEnvironment)
            startInfo.Environment[name] = value;
        return startInfo;
    }

    /// <summary>
    /// supergateway 4.0.0, stateful Streamable HTTP: one server-everything per session, started through /bin/sh.
    /// --logLevel none by default: at its own default (info) it writes every message to stdout, which would be measured
    /// as proxy work. It has no listen-address option; the benchmark only ever connects to 127.0.0.1.
    /// </summary>
    static ProcessStartInfo Supergateway(NodePackages packages, int port, string logLevel) => packages.StartInfo(
    [
        packages.Supergateway,
        "--stdio", string.Join(' ', packages.EverythingCommand.Select(a => $"'{a}'")),
        "--outputTransport", "streamableHttp", "--stateful",
        "--port", $"{port}", "--logLevel", logLevel,
    ]);

    /// <summary>mcp-proxy 6.7.19: one shared server-everything for all sessions, Streamable HTTP endpoint only, on 127.0.0.1.</summary>
    static ProcessStartInfo McpProxy(NodePackages packages, int port) => packages.StartInfo(
    [
        packages.McpProxy, "--host", "127.0.0.1", "--port", $"{port}", "--server", "stream",
        "--", .. packages.EverythingCommand,
    ]);
}
