using McpOrch.Core.Configuration;

namespace McpOrch.Core.Tests.Configuration;

/// <summary>README's "Configuration" tables and samples/config.yaml's comments say what the code reads.</summary>
public sealed class ReadmeConfigurationTests
{
    static IReadOnlyList<string[]> Table(string header)
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "README.md"));
        var start = Array.IndexOf(lines, header);
        Assert.True(start >= 0, $"README.md has no table headed {header}");
        return [.. lines.Skip(start + 2).TakeWhile(l => l.StartsWith('|'))
            .Select(l => l.Trim('|').Split(" | ").Select(c => c.Trim()).ToArray())];
    }

    [Fact]
    public void The_environment_variable_table_names_every_well_known_variable_with_one_setting_per_row()
    {
        var rows = Table("| environment variable | setting |");

        Assert.All(rows, row => Assert.True(row.Length == 2, $"a row of {row.Length} cells: {string.Join(" | ", row)}"));
        var documented = rows.SelectMany(row => row[0].Split(", ")).Select(v => v.Trim('`')).ToHashSet();
        var missing = EnvironmentSettingsProvider.WellKnown.Keys.Where(v => !documented.Contains(v)).ToList();
        Assert.True(missing.Count == 0, $"not in README's table: {string.Join(", ", missing)}");
    }

    [Fact]
    public void The_sample_says_mcp_config_is_relative_to_its_own_folder_which_is_where_it_is_found_from_elsewhere()
    {
        var samples = Path.Combine(AppContext.BaseDirectory, "samples");
        var line = File.ReadLines(Path.Combine(samples, "config.yaml")).Single(l => l.TrimStart().StartsWith("mcp_config:", StringComparison.Ordinal));
        Assert.Contains("relative to this file's folder", line);

        var elsewhere = Directory.CreateTempSubdirectory("orch-elsewhere-").FullName;
        try
        {
            var settings = OrchConfiguration.Load(new Microsoft.Extensions.Configuration.ConfigurationBuilder(),
                ["--config-yaml", Path.Combine(samples, "config.yaml")], new Dictionary<string, string>(), elsewhere);
            Assert.Equal(Path.Combine(samples, "mcp-config.json"), settings.Servers.Source);
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
    }
}
