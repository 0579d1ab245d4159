using McpOrch.LocalServers;

namespace McpOrch.Testing;

/// <summary>Where the solution's programs are built, in the configuration the tests themselves were built in.</summary>
public static class BuildOutput
{
    /// <summary>
    /// The entry assembly of <paramref name="project"/> (a folder of the repository, e.g. <c>Proxy.Api</c> or
    /// <c>tests/McpOrch.TestServer</c>): tests run from bin/&lt;Configuration&gt;/net10.0, and so do the programs.
    /// </summary>
    public static string EntryAssembly(string project, string assembly)
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        return Path.Combine(RepositoryRoot.Find(AppContext.BaseDirectory), project, "bin", configuration, "net10.0", assembly);
    }

    /// <summary>The <c>mcp-orch</c> executable's assembly (Proxy.Api).</summary>
    public static string McpOrch => EntryAssembly("Proxy.Api", "mcp-orch.dll");
}
