namespace McpOrch.BatchBench.Scenarios;

/// <summary>
/// One step of a scenario's DAG, run with the test server's fixed-latency tools: <c>sleep_echo</c> waits
/// <see cref="LatencyMs"/> and echoes its text; <c>make_list</c> answers at once with <see cref="ListCount"/> items.
/// </summary>
/// <param name="After">The steps whose outputs this one takes (its dependencies).</param>
public sealed record BenchStep(string Id, int LatencyMs, IReadOnlyList<string> After)
{
    /// <summary>For a <c>make_list</c> step: how many items it returns.</summary>
    public int? ListCount { get; private init; }

    /// <summary>For a forEach step: the <c>make_list</c> step whose items it runs over, one call per item.</summary>
    public string? ForEachOver { get; private init; }

    public static BenchStep Sleep(string id, int latencyMs, params IReadOnlyList<string> after) => new(id, latencyMs, after);

    public static BenchStep List(string id, int count) => new(id, 0, []) { ListCount = count };

    public static BenchStep ForEach(string id, string list, int latencyMs) => new(id, latencyMs, [list]) { ForEachOver = list };

    /// <summary>The text sleep_echo echoes: the step's id and the outputs it depends on, so that every reference is used.</summary>
    public string EchoText(Func<string, string> output) => string.Join(' ', [$"{Id}:", .. After.Select(output)]);
}
