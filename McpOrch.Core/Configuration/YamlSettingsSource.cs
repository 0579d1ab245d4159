using Microsoft.Extensions.Configuration;

namespace McpOrch.Core.Configuration;

/// <summary><c>config.yaml</c> as a configuration source: its snake_case keys become the <see cref="OrchOptions"/> keys.</summary>
internal sealed class YamlSettingsSource(string path, Func<string, string?> environment, ConfigurationProblems problems) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new YamlSettingsProvider(path, environment, problems);
}
