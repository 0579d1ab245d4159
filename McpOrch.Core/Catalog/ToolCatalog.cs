using ModelContextProtocol.Protocol;

namespace McpOrch.Core.Catalog;

/// <summary>
/// The merged tools of every healthy server, as one immutable, versioned snapshot: readers take the
/// current snapshot and never see it change under them.
/// </summary>
public sealed class ToolCatalog
{
    readonly Dictionary<string, CatalogTool> _byName;

    ToolCatalog(long version, IReadOnlyList<CatalogTool> tools)
    {
        Version = version;
        Tools = tools;
        _byName = tools.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>An empty catalog.</summary>
    public static ToolCatalog Empty { get; } = new(0, []);

    /// <summary>Grows by one with every change.</summary>
    public long Version { get; }

    /// <summary>Every tool, in server order and then in each server's own order.</summary>
    public IReadOnlyList<CatalogTool> Tools { get; }

    /// <summary>The catalog a snapshot was made of, for services that read it from the store.</summary>
    public static ToolCatalog From(CatalogSnapshot snapshot) =>
        new(snapshot.Version, [.. snapshot.Tools.Select(t => new CatalogTool(t.Name, t.Server, t.UpstreamName, t.Tool))]);

    /// <summary>The same snapshot with only the tools <paramref name="keep"/> keeps (a caller's allow-list).</summary>
    public ToolCatalog Where(Func<CatalogTool, bool> keep) => new(Version, [.. Tools.Where(keep)]);

    /// <summary>The tool exposed as <paramref name="name"/>.</summary>
    public CatalogTool? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>
    /// Names every server's tools <c>server{separator}tool</c>. Names that would collide (possible once
    /// unsafe characters are replaced) all get their hash suffix, so no two tools share a name.
    /// </summary>
    public static ToolCatalog Build(long version, IEnumerable<(string Server, IReadOnlyList<Tool> Tools)> servers, string separator)
    {
        var candidates = servers
            .SelectMany(s => s.Tools.Select(t => (s.Server, Tool: t, Name: ToolNames.Qualify(s.Server, t.Name, separator))))
            .ToList();
        var taken = candidates.GroupBy(c => c.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        var tools = candidates.Select(c =>
        {
            var name = taken.Contains(c.Name) ? ToolNames.WithHash(c.Server + separator + c.Tool.Name, c.Server, c.Tool.Name) : c.Name;
            return new CatalogTool(name, c.Server, c.Tool.Name, Rename(c.Tool, name));
        }).DistinctBy(t => t.Name).ToList();
        return new ToolCatalog(version, tools);
    }

    static Tool Rename(Tool tool, string name) => new()
    {
        Name = name,
        Title = tool.Title,
        Description = tool.Description,
        InputSchema = tool.InputSchema,
        OutputSchema = tool.OutputSchema,
        Annotations = tool.Annotations,
        Icons = tool.Icons,
        Meta = tool.Meta,
    };
}
