using Microsoft.Extensions.Configuration;

namespace McpOrch.Core.Configuration;

/// <summary>See <see cref="EnvironmentSettingsProvider"/>.</summary>
internal sealed class EnvironmentSettingsSource(IReadOnlyDictionary<string, string> environment) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new EnvironmentSettingsProvider(environment);
}
