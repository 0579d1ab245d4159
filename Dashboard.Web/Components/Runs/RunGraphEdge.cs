namespace Dashboard.Web.Components.Runs;

/// <summary>A dependency in the drawing of a <see cref="RunGraph"/>: <paramref name="To"/> waits for <paramref name="From"/>.</summary>
/// <param name="From">The step whose output is needed.</param>
/// <param name="To">The step that needs it.</param>
/// <param name="Path">The SVG path data from the right of <paramref name="From"/>'s box to the left of <paramref name="To"/>'s.</param>
public sealed record RunGraphEdge(string From, string To, string Path);
