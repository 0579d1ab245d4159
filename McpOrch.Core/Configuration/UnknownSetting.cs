namespace McpOrch.Core.Configuration;

/// <summary>
/// A key that names no setting, in config.yaml, in the .NET-form environment (<c>McpOrch__Llm__Endpoint</c>) or on
/// the command line (<c>--McpOrch:Llm:Endpoint</c>). It is reported once every layer is read, so that the suggestion
/// can prefer the block of the LLM provider that is configured.
/// </summary>
/// <param name="Where">The place: <c>config.yaml: line 3</c>, <c>environment variable McpOrch__Llm__Endpoint</c>.</param>
/// <param name="Name">The key's dotted name, as config.yaml would spell it: <c>llm.endpoint</c>.</param>
/// <param name="Candidates">The known names a suggestion may come from (the settings of the deepest section the key did
/// name), each with the spelling to suggest in the key's own form.</param>
internal sealed record UnknownSetting(string Where, string Name, IReadOnlyDictionary<string, string> Candidates)
{
    /// <summary>The settings of the .NET form, e.g. McpOrch__Llm__Endpoint, that name none.</summary>
    public static IEnumerable<UnknownSetting> InEnvironment(IReadOnlyDictionary<string, string> environment) =>
        environment.Keys
            .Where(name => name.StartsWith(EnvironmentSettingsProvider.DotNetPrefix, StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .Select(name => Find(name[EnvironmentSettingsProvider.DotNetPrefix.Length..].Split("__"), $"environment variable {name}",
                path => path.Replace(":", "__", StringComparison.Ordinal)))
            .OfType<UnknownSetting>();

    /// <summary>The <c>--McpOrch:Section:Key</c> options that name no setting.</summary>
    public static IEnumerable<UnknownSetting> OnCommandLine(IEnumerable<string> args)
    {
        const string prefix = "--" + OrchOptions.SectionName + ":";
        return args
            .Where(arg => arg.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(arg => arg.Split('=', 2)[0])
            .Select(option => Find(option[prefix.Length..].Split(':'), $"command-line option {option}", path => $"--{path}"))
            .OfType<UnknownSetting>();
    }

    /// <summary>Walks the path (below McpOrch) along <see cref="OrchOptions"/>; null when every part names a setting.</summary>
    static UnknownSetting? Find(string[] parts, string where, Func<string, string> form)
    {
        var (type, name, path) = (typeof(OrchOptions), "", OrchOptions.SectionName);
        for (var i = 0; i < parts.Length; i++)
        {
            var property = SettingNames.Properties(type).Values.FirstOrDefault(p => string.Equals(p.Name, parts[i], StringComparison.OrdinalIgnoreCase));
            var isLast = i == parts.Length - 1;
            if (property is null || (!isLast && !SettingTypes.IsSection(property.PropertyType) && SettingTypes.ListItemType(property.PropertyType) is null))
            {
                var unknown = string.Join('.', [.. name.Length == 0 ? [] : new[] { name }, .. parts[i..].Select(SettingNames.Snake)]);
                var candidates = SettingNames.Known(type, name, path)
                    .ToDictionary(k => k.Name, k => form(k.Path), StringComparer.OrdinalIgnoreCase);
                return new UnknownSetting(where, unknown, candidates);
            }
            name = name.Length == 0 ? SettingNames.YamlName(property) : $"{name}.{SettingNames.YamlName(property)}";
            path = $"{path}:{property.Name}";
            if (SettingTypes.IsSection(property.PropertyType))
                type = property.PropertyType;
            else if (SettingTypes.ListItemType(property.PropertyType) is { } itemType)
            {
                // An item of a list: McpOrch__Security__ApiKeys__0__Name. A part that is no index is the binder's to report.
                if (isLast || !int.TryParse(parts[i + 1], out var index) || !SettingTypes.IsSection(itemType))
                    return null;
                (type, name, path) = (itemType, $"{name}[{index}]", $"{path}:{parts[i + 1]}");
                i++;
            }
        }
        return null;
    }
}
