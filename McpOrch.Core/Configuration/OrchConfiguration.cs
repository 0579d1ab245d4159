using Microsoft.Extensions.Configuration;

namespace McpOrch.Core.Configuration;

/// <summary>
/// Reads MCP Orch's configuration. Precedence, lowest first: defaults, <c>config.yaml</c>, the well-known
/// environment variables (<c>PROXY_PORT</c>, …), the .NET form (<c>McpOrch__Server__Port</c>), the command line.
/// </summary>
public static class OrchConfiguration
{
    /// <summary>The command-line options and the settings they set.</summary>
    public static readonly IReadOnlyDictionary<string, string> SwitchMappings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["--config"] = "McpOrch:Server:McpConfig",
        ["--config-yaml"] = SettingsFileKey,
        ["--host"] = "McpOrch:Server:Host",
        ["--port"] = "McpOrch:Server:Port",
        ["--mode"] = "McpOrch:Server:Mode",
        ["--log-level"] = "McpOrch:Server:LogLevel",
        ["--max-parallel-tasks"] = "McpOrch:Execution:MaxParallelTasks",
        ["--task-timeout"] = "McpOrch:Execution:TaskTimeout",
        ["--retry-count"] = "McpOrch:Execution:RetryCount",
        ["--transport"] = "McpOrch:Server:Transport",
        ["--data-dir"] = "McpOrch:Server:DataDir",
        ["--bridge"] = "McpOrch:Server:Bridge",
    };

    /// <summary>The command-line switches that take no value, and the setting each turns on.</summary>
    public static readonly IReadOnlyDictionary<string, string> Flags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["--insecure"] = "McpOrch:Security:Insecure",
    };

    /// <summary>The environment variable that names config.yaml when <c>--config-yaml</c> does not.</summary>
    public const string SettingsFileVariable = "MCP_ORCH_CONFIG_YAML";

    const string SettingsFileKey = "McpOrch:SettingsFile";
    const string DefaultSettingsFile = "config.yaml";

    // Options that ASP.NET Core's host reads itself.
    static readonly string[] HostOptions = ["--urls", "--environment", "--contentRoot", "--applicationName"];

    /// <summary>
    /// Adds config.yaml, the environment overrides and the command line to <paramref name="builder"/>,
    /// binds the settings, and reads mcp-config.json.
    /// </summary>
    /// <param name="builder">The configuration to add to (a host's <c>ConfigurationManager</c>, or a fresh builder).</param>
    /// <param name="args">The command line.</param>
    /// <param name="environment">The environment variables.</param>
    /// <param name="baseDirectory">Where relative file names start, and where config.yaml and mcp-config.json are looked for.</param>
    /// <exception cref="OrchConfigurationException">Something is wrong; the message names every problem.</exception>
    public static OrchSettings Load(IConfigurationBuilder builder, string[] args,
        IReadOnlyDictionary<string, string> environment, string baseDirectory)
    {
        var problems = new ConfigurationProblems();
        args = [.. args.Select(a => Flags.TryGetValue(a, out var setting) ? $"--{setting}=true" : a)];
        CheckCommandLine(args, problems);
        problems.ThrowIfAny();

        if (FindSettingsFile(args, environment, baseDirectory, problems) is { } settingsFile)
            builder.Add(new YamlSettingsSource(settingsFile, name => environment.GetValueOrDefault(name), problems));
        builder.Add(new EnvironmentSettingsSource(environment));
        builder.AddCommandLine(args, SwitchMappings.ToDictionary());
        var root = (IConfigurationRoot)builder.Build();

        var binder = new SettingsBinder(root, SwitchMappings, problems);
        var options = binder.Bind();
        var llmProblem = LlmProviderInference.Infer(options.Llm, environment, binder, problems);
        WarnUnknownKeys(root, args, environment, options.Llm.Provider, problems);
        var servers = ReadServers(options, root, binder, environment, baseDirectory, problems);
        problems.ThrowIfAny();
        return new OrchSettings(options, servers, problems.Warnings) { LlmProblem = llmProblem };
    }

    /// <summary>
    /// Keys that name no setting, in config.yaml, the .NET-form environment and the command line, are ignored: each is a
    /// warning with the nearest known key, taken from the configured provider's block when there is one.
    /// </summary>
    static void WarnUnknownKeys(IConfigurationRoot root, string[] args, IReadOnlyDictionary<string, string> environment,
        LlmProvider? provider, ConfigurationProblems problems)
    {
        var block = provider is { } configured ? $"llm.{LlmRequirements.Name(configured)}." : null;
        var yaml = root.Providers.OfType<YamlSettingsProvider>().SelectMany(p => p.UnknownKeys);
        foreach (var unknown in yaml.Concat(UnknownSetting.InEnvironment(environment)).Concat(UnknownSetting.OnCommandLine(args)))
        {
            var nearest = SettingNames.Nearest(unknown.Name, unknown.Candidates.Keys,
                name => block is not null && name.StartsWith(block, StringComparison.OrdinalIgnoreCase));
            problems.Warning($"{unknown.Where}: {unknown.Name}: unknown key, ignored{SettingNames.Suggestion(nearest is null ? null : unknown.Candidates[nearest])}.");
        }
    }

    static void CheckCommandLine(string[] args, ConfigurationProblems problems)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i].Split('=', 2)[0];
            if (!name.StartsWith('-'))
                continue;
            var known = SwitchMappings.ContainsKey(name) || HostOptions.Contains(name, StringComparer.OrdinalIgnoreCase)
                || name.Contains(':', StringComparison.Ordinal);
            if (!known)
                problems.Error($"command line: unknown option {name}{SettingNames.DidYouMean(name, SwitchMappings.Keys.Concat(Flags.Keys))}: " +
                    $"the options are {string.Join(", ", SwitchMappings.Keys.Concat(Flags.Keys))}.");
            else if (!args[i].Contains('=', StringComparison.Ordinal) && (i + 1 == args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal)))
                problems.Error($"command line: {name} needs a value, e.g. {name} VALUE.");
            else if (!args[i].Contains('=', StringComparison.Ordinal))
                i++;
        }
    }

    static string? FindSettingsFile(string[] args, IReadOnlyDictionary<string, string> environment, string baseDirectory, ConfigurationProblems problems)
    {
        var given = new ConfigurationBuilder().AddCommandLine(args, SwitchMappings.ToDictionary()).Build()[SettingsFileKey];
        var source = "--config-yaml";
        if (given is null && environment.TryGetValue(SettingsFileVariable, out var fromEnvironment) && fromEnvironment.Length > 0)
            (given, source) = (fromEnvironment, $"environment variable {SettingsFileVariable}");

        var path = Path.GetFullPath(given ?? DefaultSettingsFile, baseDirectory);
        if (File.Exists(path))
            return path;
        if (given is not null)
            problems.Error($"{source}: {given}: no such file: give the path of your config.yaml, or leave it out to use defaults.");
        return null;
    }

    static McpServersConfiguration ReadServers(OrchOptions options, IConfigurationRoot root, SettingsBinder binder,
        IReadOnlyDictionary<string, string> environment, string baseDirectory, ConfigurationProblems problems)
    {
        const string key = "McpOrch:Server:McpConfig";
        // A path written in config.yaml is relative to that file; one given on the command line or in the environment, to the current folder.
        var folder = root.Providers.LastOrDefault(p => p.TryGet(key, out _)) is YamlSettingsProvider yaml ? yaml.Folder : baseDirectory;
        var path = Path.GetFullPath(options.Server.McpConfig, folder);
        if (File.Exists(path))
            return McpServersFile.Load(path, name => environment.GetValueOrDefault(name), problems);

        if (root[key] is not null)
            problems.Error($"{binder.Describe(key)}: server.mcp_config: {options.Server.McpConfig}: no such file: give the path of your mcp-config.json.");
        else
            problems.Warning($"{options.Server.McpConfig}: not found in {folder}: no MCP servers are configured; pass --config PATH to use one.");
        // Remembered so that a reload, or a file created later, is read from the same place.
        return McpServersConfiguration.Empty with { Source = path };
    }
}
