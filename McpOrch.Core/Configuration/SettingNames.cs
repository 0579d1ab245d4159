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

    /// <summary>" (did you mean 'x'?)" when one known name is close to an unknown one, else "".</summary>
    public static string DidYouMean(string unknown, IEnumerable<string> known)
    {
        var best = known
            .Select(k => (Name: k, Distance: Distance(unknown.ToLowerInvariant(), k.ToLowerInvariant())))
            .OrderBy(c => c.Distance)
            .FirstOrDefault();
        return best.Name is not null && best.Distance <= Math.Max(2, unknown.Length / 3)
            ? $" (did you mean '{best.Name}'?)"
            : "";
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
