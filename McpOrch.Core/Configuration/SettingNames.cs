using System.Reflection;
using System.Text;
using YamlDotNet.Serialization;

namespace McpOrch.Core.Configuration;

/// <summary>How settings are named for people: the snake_case keys of <c>config.yaml</c>, and suggestions for typos.</summary>
internal static class SettingNames
{
    /// <summary>The key a property has in <c>config.yaml</c>: <c>MaxParallelTasks</c> is <c>max_parallel_tasks</c>.</summary>
    public static string YamlName(PropertyInfo property)
    {
        if (property.GetCustomAttribute<YamlMemberAttribute>()?.Alias is { } alias)
            return alias;
        var name = new StringBuilder();
        foreach (var c in property.Name)
        {
            if (char.IsUpper(c) && name.Length > 0)
                name.Append('_');
            name.Append(char.ToLowerInvariant(c));
        }
        return name.ToString();
    }

    /// <summary>The settable properties of an options class, by their YAML name.</summary>
    public static IReadOnlyDictionary<string, PropertyInfo> Properties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite)
            .ToDictionary(YamlName, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Every section and setting of <paramref name="section"/> by its dotted name (<c>llm.azure.endpoint</c>) and its
    /// configuration path (<c>McpOrch:Llm:Azure:Endpoint</c>), below the given prefixes. A list is named, not its items.
    /// </summary>
    public static IEnumerable<(string Name, string Path)> Known(Type section, string namePrefix, string pathPrefix)
    {
        foreach (var (yamlName, property) in Properties(section))
        {
            var name = namePrefix.Length == 0 ? yamlName : $"{namePrefix}.{yamlName}";
            var path = $"{pathPrefix}:{property.Name}";
            yield return (name, path);
            if (SettingTypes.IsSection(property.PropertyType))
                foreach (var child in Known(property.PropertyType, name, path))
                    yield return child;
        }
    }

    /// <summary>A name as written in the .NET form (<c>MaxParallelTasks</c>, <c>MAXPARALLELTASKS</c>) in the snake_case of config.yaml.</summary>
    public static string Snake(string name)
    {
        if (!name.Any(char.IsLower))
            return name.ToLowerInvariant();
        var snake = new StringBuilder();
        foreach (var c in name)
        {
            if (char.IsUpper(c) && snake.Length > 0 && snake[^1] != '_')
                snake.Append('_');
            snake.Append(char.ToLowerInvariant(c));
        }
        return snake.ToString();
    }

    /// <summary>" (did you mean 'x'?)" when one known name is close to an unknown one, else "".</summary>
    public static string DidYouMean(string unknown, IEnumerable<string> known) => Suggestion(Nearest(unknown, known));

    /// <summary>" (did you mean 'x'?)" for a name found by <see cref="Nearest"/>, else "".</summary>
    public static string Suggestion(string? name) => name is null ? "" : $" (did you mean '{name}'?)";

    /// <summary>
    /// The known name nearest to an unknown one: a few typos away, or the same dotted name with a section left out
    /// (<c>llm.endpoint</c> for <c>llm.azure.endpoint</c>). Names for which <paramref name="preferred"/> holds come
    /// first (the block of the configured LLM provider), then the nearest. Null when none is close.
    /// </summary>
    public static string? Nearest(string unknown, IEnumerable<string> known, Func<string, bool>? preferred = null)
    {
        var lower = unknown.ToLowerInvariant();
        return known
            .Select(k => (Name: k, Distance: Distance(lower, k.ToLowerInvariant())))
            .Where(c => c.Distance <= Math.Max(2, unknown.Length / 3) || LeavesOutSections(lower, c.Name.ToLowerInvariant()))
            .OrderBy(c => preferred?.Invoke(c.Name) == true ? 0 : 1)
            .ThenBy(c => c.Distance)
            .Select(c => c.Name)
            .FirstOrDefault();
    }

    /// <summary>Whether <paramref name="unknown"/> is <paramref name="known"/> with sections between its first and last part left out.</summary>
    static bool LeavesOutSections(string unknown, string known)
    {
        var (u, k) = (unknown.Split('.'), known.Split('.'));
        if (u.Length < 2 || u.Length >= k.Length || u[0] != k[0] || u[^1] != k[^1])
            return false;
        var next = 1;
        foreach (var part in u[1..^1])
        {
            while (next < k.Length - 1 && k[next] != part)
                next++;
            if (next++ >= k.Length - 1)
                return false;
        }
        return true;
    }

    /// <summary>Levenshtein distance.</summary>
    static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1),
                    previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }
}
