using System.Text.Json;
using System.Text.RegularExpressions;

namespace McpOrch.Core.Security;

/// <summary>
/// Which tools a caller sees and calls: glob patterns (<c>*</c> any run of characters, <c>?</c> one) over server names
/// and over the tools' namespaced names (<c>github.list_*</c>). A tool is in scope when its server matches one of
/// <see cref="Servers"/> and its name one of <see cref="Tools"/>; an empty list matches everything. The servers in
/// scope are those whose tools the scope can name: a key limited to some tools reads no other server's resources.
/// </summary>
public sealed record ToolScope(IReadOnlyList<string> Servers, IReadOnlyList<string> Tools)
{
    readonly Regex[] _servers = [.. Servers.Select(Glob)];
    readonly Regex[] _tools = [.. Tools.Select(Glob)];

    public static ToolScope Everything { get; } = new([], []);

    public bool IsEverything => Servers.Count == 0 && Tools.Count == 0;

    /// <summary>
    /// Whether the caller may use <paramref name="server"/> at all: its endpoint, resources, prompts and completions, and
    /// its entry in <c>GET /servers</c>. Its name must match <see cref="Servers"/>, and when <see cref="Tools"/> is set,
    /// one of those patterns must be able to name a tool of it: <c>everything.echo</c> reaches <c>everything</c> alone,
    /// <c>*.read_*</c> every server.
    /// </summary>
    /// <param name="server">The server's name.</param>
    /// <param name="separator">What separates a server's name from its tool's in namespaced names (<c>server.tool_separator</c>).</param>
    public bool AllowsServer(string server, string separator) =>
        Matches(_servers, server) && (Tools.Count == 0 || Tools.Any(pattern => NamesSomethingAfter(pattern, server + separator)));

    /// <param name="server">The tool's server.</param>
    /// <param name="name">The tool's namespaced name, as <c>GET /tools</c> shows it.</param>
    public bool Allows(string server, string name) => Matches(_servers, server) && Matches(_tools, name);

    /// <summary>The scope as JSON, for a run that must keep its caller's scope; null for everything.</summary>
    public string? ToJson() => IsEverything ? null : JsonSerializer.Serialize(new Stored(Servers, Tools), JsonSerializerOptions.Web);

    public static ToolScope FromJson(string? json) =>
        json is null ? Everything : JsonSerializer.Deserialize<Stored>(json, JsonSerializerOptions.Web) is { } s ? new(s.Servers, s.Tools) : Everything;

    /// <summary>Whether the glob <paramref name="pattern"/> matches some name that is <paramref name="prefix"/> and more.</summary>
    static bool NamesSomethingAfter(ReadOnlySpan<char> pattern, ReadOnlySpan<char> prefix)
    {
        if (pattern.IsEmpty)
            return false;
        if (prefix.IsEmpty)
            return true; // What is left of the pattern matches some non-empty tool name.
        if (pattern[0] == '*')
            return NamesSomethingAfter(pattern[1..], prefix) || NamesSomethingAfter(pattern, prefix[1..]);
        return (pattern[0] == '?' || char.ToUpperInvariant(pattern[0]) == char.ToUpperInvariant(prefix[0]))
            && NamesSomethingAfter(pattern[1..], prefix[1..]);
    }

    static bool Matches(Regex[] patterns, string value) => patterns.Length == 0 || patterns.Any(p => p.IsMatch(value));

    static Regex Glob(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    sealed record Stored(IReadOnlyList<string> Servers, IReadOnlyList<string> Tools);
}
