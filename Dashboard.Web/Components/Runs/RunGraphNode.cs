namespace Dashboard.Web.Components.Runs;

/// <summary>A step placed in the drawing of a <see cref="RunGraph"/>.</summary>
/// <param name="Id">The step's id.</param>
/// <param name="Tool">The tool it calls.</param>
/// <param name="IsForEach">Whether it fans out over an array (and so has a progress to show).</param>
/// <param name="Layer">Its column: 0 for a step that waits for nothing, else one more than its latest dependency.</param>
/// <param name="X">The left of its box, in SVG user units.</param>
/// <param name="Y">The top of its box.</param>
public sealed record RunGraphNode(string Id, string Tool, bool IsForEach, int Layer, double X, double Y);
