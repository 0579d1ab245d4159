using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Logging;

namespace McpOrch.Core.Configuration;

/// <summary>
/// Binds <see cref="OrchOptions"/> from the layered configuration. Unlike the framework's binder it names
/// where a bad value came from (a line of config.yaml, an environment variable, a command-line option),
/// reads durations as seconds, and reports every problem instead of throwing at the first.
/// </summary>
internal sealed class SettingsBinder(IConfigurationRoot root, IReadOnlyDictionary<string, string> switchMappings, ConfigurationProblems problems)
{
    static readonly Dictionary<string, LogLevel> LogLevelAliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["info"] = LogLevel.Information,
        ["warn"] = LogLevel.Warning,
        ["fatal"] = LogLevel.Critical,
    };

    public OrchOptions Bind()
    {
        var options = new OrchOptions();
        BindSection(options, root.GetSection(OrchOptions.SectionName), "");
        return options;
    }

    void BindSection(object target, IConfigurationSection section, string yamlPath)
    {
        foreach (var (yamlName, property) in SettingNames.Properties(target.GetType()))
        {
            var child = section.GetSection(property.Name);
            var at = yamlPath.Length == 0 ? yamlName : $"{yamlPath}.{yamlName}";
            var type = property.PropertyType;
            if (SettingTypes.IsSection(type))
                BindSection(property.GetValue(target)!, child, at);
            else if (SettingTypes.ListItemType(type) is { } itemType)
            {
                if (child.Exists())
                    property.SetValue(target, BindList(child, itemType, at));
            }
            else if (child.Value is { } text && Parse(text, type, child.Path, at, out var value) && FitsConstraints(property, value, child.Path, at))
                property.SetValue(target, value);

            if (property.GetCustomAttribute<RequiredAttribute>() is not null && IsEmpty(property.GetValue(target)))
                Error(section.Path, at, type == typeof(string) ? "is required." : "needs at least one item.");
        }
    }

    object BindList(IConfigurationSection section, Type itemType, string at)
    {
        var list = (System.Collections.IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(itemType))!;
        if (section.Value is { } text && !SettingTypes.IsSection(itemType))
        {
            // A list given as one value, e.g. McpOrch__Security__ApiKeys__0__Permissions=read,execute.
            foreach (var item in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                if (Parse(item, itemType, section.Path, at, out var value))
                    list.Add(value);
            return list;
        }
        var items = section.GetChildren()
            .Select(c => (Child: c, Index: int.TryParse(c.Key, out var i) ? i : -1))
            .OrderBy(c => c.Index);
        foreach (var (child, index) in items)
        {
            var itemAt = $"{at}[{child.Key}]";
            if (index < 0)
                Error(child.Path, at, "must be a list.");
            else if (SettingTypes.IsSection(itemType))
            {
                var item = Activator.CreateInstance(itemType)!;
                BindSection(item, child, itemAt);
                list.Add(item);
            }
            else if (child.Value is { } itemText && Parse(itemText, itemType, child.Path, itemAt, out var value))
                list.Add(value);
        }
        return list;
    }

    bool Parse(string text, Type type, string key, string at, out object? value)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        text = text.Trim();
        value = null;
        if (type == typeof(string))
            value = text;
        else if (type == typeof(int) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
            value = number;
        else if (type == typeof(bool) && ParseBool(text) is { } flag)
            value = flag;
        else if (type == typeof(TimeSpan) && Durations.TryParse(text, out var duration))
            value = duration;
        else if (type == typeof(LogLevel) && LogLevelAliases.TryGetValue(text, out var alias))
            value = alias;
        else if (type.IsEnum && !char.IsDigit(text.FirstOrDefault()) && Enum.TryParse(type, text, ignoreCase: true, out var member))
            value = member;
        if (value is not null)
            return true;
        Error(key, at, $"must be {Expected(type)}, not '{text}'.");
        return false;
    }

    static bool? ParseBool(string text) => text.ToLowerInvariant() switch
    {
        "true" or "yes" or "on" or "1" => true,
        "false" or "no" or "off" or "0" => false,
        _ => null,
    };

    static string Expected(Type type) => type switch
    {
        _ when type == typeof(int) => "a whole number",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(TimeSpan) => Durations.Expected,
        // A [Flags] enum's names of single flags: not None, not combinations such as All.
        _ => "one of " + string.Join(", ", Enum.GetValues(type).Cast<Enum>()
            .Where(v => !type.IsDefined(typeof(FlagsAttribute), false) || System.Numerics.BitOperations.IsPow2(Convert.ToInt64(v, CultureInfo.InvariantCulture)))
            .Select(v => v.ToString().ToLowerInvariant())),
    };

    /// <summary>Checks the property's [Range] and [RegularExpression], naming the source of a value that breaks them.</summary>
    bool FitsConstraints(PropertyInfo property, object? value, string key, string at)
    {
        if (property.GetCustomAttribute<RangeAttribute>() is { } range && !range.IsValid(value))
            Error(key, at, range.ErrorMessage is { } message ? $"{message}." : $"must be between {range.Minimum} and {range.Maximum}.");
        else if (property.GetCustomAttribute<RegularExpressionAttribute>() is { } pattern && !pattern.IsValid(value))
            Error(key, at, $"{pattern.ErrorMessage}.");
        else
            return true;
        return false;
    }

    static bool IsEmpty(object? value) => value switch
    {
        null => true,
        string text => string.IsNullOrWhiteSpace(text),
        System.Collections.ICollection collection => collection.Count == 0,
        _ => false,
    };

    void Error(string key, string at, string problem) => problems.Error($"{Describe(key)}: {at}: {problem}");

    /// <summary>The layer that supplied a key (or a section), the last one winning as in configuration itself.</summary>
    public string Describe(string key)
    {
        foreach (var provider in root.Providers.Reverse())
        {
            if (!provider.TryGet(key, out _) && !provider.GetChildKeys([], key).Any())
                continue;
            return provider switch
            {
                IDescribesSettingSource described => described.Describe(key),
                CommandLineConfigurationProvider => "command-line option " +
                    (switchMappings.FirstOrDefault(m => string.Equals(m.Value, key, StringComparison.OrdinalIgnoreCase)).Key ?? $"--{key}"),
                _ => $"setting {key}",
            };
        }
        return $"setting {key}";
    }
}
