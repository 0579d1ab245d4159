using McpOrch.LocalServers;
using Microsoft.Extensions.Configuration;

namespace McpOrch.AppHost;

/// <summary>The AppHost's own options, from its command line (<c>--embedded</c>, <c>--executors 3</c>, …) or the environment.</summary>
public sealed record AppHostSettings(
    bool Embedded,
    int Executors,
    string DataRoot,
    int? ProxyPort,
    int? DashboardPort,
    IReadOnlyList<string> ServiceArguments)
{
    public const string DefaultDataFolder = ".mcp-orch";

    /// <summary>Flags given alone (<c>--embedded</c>) as the configuration's command line reads them (<c>--embedded=true</c>).</summary>
    public static string[] NormaliseSwitches(string[] args) => [.. args.Select(a => a == "--embedded" ? "--embedded=true" : a)];

    /// <exception cref="InvalidOperationException">A value is wrong, or the data folder cannot be found; the message says what to do.</exception>
    public static AppHostSettings Read(IConfiguration configuration)
    {
        var data = configuration["data"] is { Length: > 0 } folder
            ? Path.GetFullPath(folder)
            : Path.Combine(RepositoryRoot.TryFind(Environment.CurrentDirectory, AppContext.BaseDirectory)
                ?? throw new InvalidOperationException($"{RepositoryRoot.SolutionFileName} was not found above {Environment.CurrentDirectory}: run from inside the repository or pass --data DIR."),
                DefaultDataFolder);
        var executors = configuration.GetValue("executors", 2);
        if (executors < 1)
            throw new InvalidOperationException($"--executors {executors}: at least one executor is needed to run batch steps.");
        return new AppHostSettings(
            configuration.GetValue<bool>("embedded"),
            executors,
            data,
            Port(configuration, "proxy-port", 8080),
            Port(configuration, "dashboard-port", 8090),
            // The services' own settings files, as mcp-orch takes them; the services run in their project folders, so
            // paths are made full here, and files in the current folder are passed on as mcp-orch would find them there.
            [.. new[] { ("config", "mcp-config.json"), ("config-yaml", "config.yaml") }
                .Select(o => (o.Item1, Path: configuration[o.Item1] is { Length: > 0 } given ? given : File.Exists(o.Item2) ? o.Item2 : null))
                .Where(o => o.Path is not null)
                .SelectMany(o => new[] { $"--{o.Item1}", Path.GetFullPath(o.Path!) })]);
    }

    /// <summary>A fixed port, or null (<c>0</c>) for one Aspire picks.</summary>
    static int? Port(IConfiguration configuration, string name, int fallback) =>
        configuration.GetValue(name, fallback) is var port and > 0 ? port : null;
}
