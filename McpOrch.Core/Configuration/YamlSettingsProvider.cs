using Microsoft.Extensions.Configuration;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace McpOrch.Core.Configuration;

/// <summary>
/// Reads <c>config.yaml</c> against the shape of <see cref="OrchOptions"/>: unknown keys are kept in
/// <see cref="UnknownKeys"/> to be warned about, a wrong shape is an error, and every value remembers its line so that a bad one can be pointed at.
/// <c>${VAR}</c> references are expanded as in mcp-config.json.
/// </summary>
internal sealed class YamlSettingsProvider(string path, Func<string, string?> environment, ConfigurationProblems problems)
    : ConfigurationProvider, IDescribesSettingSource
{
    readonly string _file = Path.GetFileName(path);
    readonly EnvironmentExpander _expander = new(environment);
    readonly Dictionary<string, int> _lines = new(StringComparer.OrdinalIgnoreCase);
    readonly List<UnknownSetting> _unknownKeys = [];

    /// <summary>The keys that name no setting, found by the last <see cref="Load"/>.</summary>
    public IReadOnlyList<UnknownSetting> UnknownKeys => _unknownKeys;

    /// <summary>The folder of the file: paths written in it are relative to it.</summary>
    public string Folder => Path.GetDirectoryName(Path.GetFullPath(path))!;

    public string Describe(string key) =>
        _lines.TryGetValue(key, out var line) ? $"{_file}: line {line}" : _file;

    public override void Load()
    {
        Data.Clear();
        _lines.Clear();
        _unknownKeys.Clear();
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            problems.Error($"{_file}: line {e.Start.Line}, column {e.Start.Column}: not valid YAML ({e.Message.Split("): ", 2)[^1].TrimEnd('.')}): fix the syntax there.");
            return;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Error($"{_file}: cannot be read ({e.Message}): check the path given by --config-yaml.");
            return;
        }

        if (stream.Documents.Count == 0 || IsEmpty(stream.Documents[0].RootNode))
            return;
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            problems.Error($"{_file}: line {stream.Documents[0].RootNode.Start.Line}: must be a mapping with the sections server, security, llm and execution.");
            return;
        }
        ReadMapping(root, typeof(OrchOptions), OrchOptions.SectionName, "");
    }

    void ReadMapping(YamlMappingNode mapping, Type type, string key, string yamlPath)
    {
        var properties = SettingNames.Properties(type);
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var name = (keyNode as YamlScalarNode)?.Value ?? "";
            var at = yamlPath.Length == 0 ? name : $"{yamlPath}.{name}";
            if (!properties.TryGetValue(name, out var property))
                _unknownKeys.Add(new UnknownSetting($"{_file}: line {keyNode.Start.Line}", at,
                    SettingNames.Known(type, yamlPath, key).ToDictionary(k => k.Name, k => k.Name, StringComparer.OrdinalIgnoreCase)));
            else
                ReadValue(valueNode, property.PropertyType, $"{key}:{property.Name}", at);
        }
    }

    void ReadValue(YamlNode node, Type type, string key, string at)
    {
        if (IsEmpty(node))
            return;
        if (SettingTypes.IsSection(type))
        {
            if (node is YamlMappingNode mapping)
            {
                _lines[key] = (int)node.Start.Line;
                ReadMapping(mapping, type, key, at);
            }
            else
                Error(node, $"{at}: must be a section of 'key: value' lines.");
        }
        else if (SettingTypes.ListItemType(type) is { } itemType)
        {
            if (node is YamlSequenceNode sequence)
            {
                var index = 0;
                foreach (var item in sequence.Children)
                    ReadValue(item, itemType, $"{key}:{index}", $"{at}[{index++}]");
            }
            else if (node is YamlScalarNode scalar && !SettingTypes.IsSection(itemType))
                // "permissions: read, execute" reads as naturally as a list.
                Set(key, scalar.Value!, node, at);
            else
                Error(node, $"{at}: must be a list ('- item' lines or [a, b]).");
        }
        else if (node is YamlScalarNode scalar)
            Set(key, scalar.Value!, node, at);
        else
            Error(node, $"{at}: must be a single value, not a {(node is YamlMappingNode ? "section" : "list")}.");
    }

    void Set(string key, string value, YamlNode node, string at)
    {
        var missing = new List<string>();
        Data[key] = _expander.Expand(value, missing);
        foreach (var name in missing)
            Error(node, $"{at}: environment variable {name} is not set: set it, or give a default with ${{{name}:-value}}.");
        _lines[key] = (int)node.Start.Line;
    }

    void Error(YamlNode node, string message) => problems.Error($"{_file}: line {node.Start.Line}: {message}");

    static bool IsEmpty(YamlNode node) =>
        node is YamlScalarNode { Value: null or "" or "~" or "null" } scalar && scalar.Style == YamlDotNet.Core.ScalarStyle.Plain;
}
