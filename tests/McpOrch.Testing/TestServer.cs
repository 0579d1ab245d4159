using McpOrch.AppHost;

namespace McpOrch.Testing;

/// <summary>tests/McpOrch.TestServer: a C# MCP server over stdio with the behaviours the npm servers lack.</summary>
public static class TestServer
{
    /// <summary>How to start it, from the build output of the tests' own configuration.</summary>
    public static NodeCommand Command()
    {
        var root = RepositoryRoot.Find(AppContext.BaseDirectory);
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var entry = Path.Combine(root, "tests", "McpOrch.TestServer", "bin", configuration, "net10.0", "McpOrch.TestServer.dll");
        return new NodeCommand("dotnet", [entry], new Dictionary<string, string>());
    }
}
