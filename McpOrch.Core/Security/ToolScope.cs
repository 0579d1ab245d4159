using System.Text.Json;
using System.Text.RegularExpressions;

namespace McpOrch.Core.Security;

/// <summary>
/// Which tools a caller sees and calls: glob patterns (<c>*</c> any run of characters, <c>?</c> one) over server names
/// and over the tools' namespaced names (<c>github.list_*</c>). A tool is in scope when its server matches one of
/// <see cref="Servers"/> and its name one of <see cref="Tools"/>; an empty list matches everything.
/// </summary>
public sealed record ToolScope(IReadOnlyList<string> Servers, IReadOnlyList<string> Tools)
{
    readonly Regex[] _servers = [.. Servers.Select(Glob)];
    readonly Regex[] _tools = [.. Tools.Select(Glob)];

    public static ToolScope Everything { get; } = new([], []);

    public bool IsEverything => Servers.Count == 0 && Tools.Count == 0;

    public bool AllowsServer(string server) => Matches(_servers, server);

    /// <param name="server">The tool's server.</param>
    /// <param name="name">The tool's namespaced name, as <c>GET /tools</c> shows it.</param>
    public bool Allows(string server, string name) => Matches(_servers, server) && Matches(_tools, name);

    /// <summary>The scope as JSON, for a run that must keep its caller's scope; null for everything.</summary>
    public string? ToJson() => IsEverything ? null : JsonSerializer.Serialize(new Stored(Servers, Tools), JsonSerializerOptions.Web);

    public static ToolScope FromJson(string? json) =>
        json is null ? Everything : JsonSerializer.Deserialize<Stored>(json, JsonSerializerOptions.Web) is { } s ? new(s.Servers, s.Tools) : Everything;

    static bool Matches(Regex[] patterns, string value) => patterns.Length == 0 || patterns.Any(p => p.IsMatch(value));

    static Regex Glob(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    sealed record Stored(IReadOnlyList<string> Servers, IReadOnlyList<string> Tools);
}
