using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace McpOrch.Testing;

/// <summary>
/// A host builder for exercising service wiring (the ServiceDefaults client helpers) against the
/// fixtures: no appsettings or environment variables, so the machine's own ConnectionStrings__*
/// cannot leak in; only the settings given.
/// </summary>
public static class ServiceHostBuilder
{
    public static HostApplicationBuilder Create(params IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            EnvironmentName = Environments.Development,
        });
        builder.Configuration.AddInMemoryCollection(settings);
        return builder;
    }

    /// <summary>A builder with <c>ConnectionStrings:{connectionName}</c> set.</summary>
    public static HostApplicationBuilder WithConnectionString(string connectionName, string connectionString) =>
        Create([new($"ConnectionStrings:{connectionName}", connectionString)]);
}
