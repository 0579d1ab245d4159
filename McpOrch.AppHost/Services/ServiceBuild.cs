namespace McpOrch.AppHost.Services;

/// <summary>
/// Where the solution's programs are built. The AppHost references every service project (as Aspire's AppHost
/// does), so building it builds them, in the same configuration: the AppHost runs from
/// <c>McpOrch.AppHost/bin/&lt;Configuration&gt;/net10.0</c>, and each service from its own project's.
/// </summary>
public static class ServiceBuild
{
    /// <summary>The entry assembly of <paramref name="project"/>, a folder of the repository such as <c>Proxy.Api</c>.</summary>
    public static string EntryAssembly(string project, string assembly)
    {
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        return Path.Combine(RepositoryRoot.Find(AppContext.BaseDirectory), project, "bin", configuration, "net10.0", assembly);
    }
}
