namespace McpOrch.Testing;

/// <summary>tests/McpOrch.TestServer: a C# MCP server over stdio with the behaviours the npm servers lack.</summary>
public static class TestServer
{
    /// <summary>How to start it, from the build output of the tests' own configuration.</summary>
    public static NodeCommand Command() =>
        new("dotnet", [BuildOutput.EntryAssembly("tests/McpOrch.TestServer", "McpOrch.TestServer.dll")], new Dictionary<string, string>());
}
