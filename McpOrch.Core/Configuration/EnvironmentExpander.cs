using System.Text.RegularExpressions;

namespace McpOrch.Core.Configuration;

/// <summary>
/// Expands <c>${VAR}</c>, <c>${VAR:-default}</c> and the Cursor / VS Code spelling <c>${env:VAR}</c>
/// in configuration strings. <c>$${</c> stands for a literal <c>${</c>.
/// </summary>
internal sealed partial class EnvironmentExpander(Func<string, string?> lookup, IReadOnlyDictionary<string, string>? builtIns = null)
{
    [GeneratedRegex(@"\$\$\{|\$\{(?<name>[^}:]+(?::(?!-)[^}:]+)?)(?::-(?<default>[^}]*))?\}")]
    private static partial Regex Reference();

    /// <summary>
    /// The expanded text; a variable that is neither set nor given a default is added to <paramref name="missing"/>
    /// and expands to nothing.
    /// </summary>
    public string Expand(string text, ICollection<string> missing)
    {
        if (!text.Contains("${", StringComparison.Ordinal))
            return text;
        return Reference().Replace(text, match =>
        {
            if (match.Value == "$${")
                return "${";
            var name = match.Groups["name"].Value.Trim();
            if (name.StartsWith("env:", StringComparison.Ordinal))
                name = name[4..];
            else if (builtIns is not null && builtIns.TryGetValue(name, out var builtIn))
                return builtIn;
            var value = lookup(name);
            // As in the shell: ":-" also replaces a variable that is set but empty.
            if (value is not null && (value.Length > 0 || !match.Groups["default"].Success))
                return value;
            if (match.Groups["default"].Success)
                return match.Groups["default"].Value;
            missing.Add(name);
            return "";
        });
    }
}
