using McpOrch.Bench.Load;

namespace McpOrch.Bench.Report;

/// <summary>
/// The targets for MCP Orch (B) against supergateway (C) and mcp-proxy (D): own CPU per call at most a quarter
/// of supergateway's, median latency lower and throughput higher than both in every mode, and memory lower than both.
/// </summary>
public static class Targets
{
    static readonly string[] Modes = [Phase.SequentialKey, Phase.OneSessionKey, Phase.ManySessionsKey];

    public static IReadOnlyList<TargetRow> Evaluate(IReadOnlyList<Summary> summaries)
    {
        Summary? Find(ClientKind client, string path, string phase) =>
            summaries.FirstOrDefault(s => s.Client == client && s.Path == path && s.Phase.Key == phase);
        string Title(string phase) => summaries.First(s => s.Phase.Key == phase).Phase.Title;

        var rows = new List<TargetRow>();
        foreach (var phase in Modes.Where(p => summaries.Any(s => s.Phase.Key == p)))
            rows.Add(new("own CPU per call ≤ ¼ of supergateway's", Title(phase),
                OwnCpu(Find(ClientKind.CSharp, "B", phase), Find(ClientKind.CSharp, "C", phase)),
                OwnCpu(Find(ClientKind.TypeScript, "B", phase), Find(ClientKind.TypeScript, "C", phase))));
        foreach (var phase in Modes.Where(p => summaries.Any(s => s.Phase.Key == p)))
            rows.Add(new("median latency lower than both", Title(phase),
                Lower(Find(ClientKind.CSharp, "B", phase), Find(ClientKind.CSharp, "C", phase), Find(ClientKind.CSharp, "D", phase), s => s.P50, " ms"),
                Lower(Find(ClientKind.TypeScript, "B", phase), Find(ClientKind.TypeScript, "C", phase), Find(ClientKind.TypeScript, "D", phase), s => s.P50, " ms")));
        foreach (var phase in Modes.Skip(1).Where(p => summaries.Any(s => s.Phase.Key == p)))
            rows.Add(new("throughput higher than both", Title(phase),
                Higher(Find(ClientKind.CSharp, "B", phase), Find(ClientKind.CSharp, "C", phase), Find(ClientKind.CSharp, "D", phase)),
                Higher(Find(ClientKind.TypeScript, "B", phase), Find(ClientKind.TypeScript, "C", phase), Find(ClientKind.TypeScript, "D", phase))));

        long? Memory(ClientKind client, string path, Func<Summary, long?> bytes, params string[] phases) =>
            phases.Select(p => Find(client, path, p)).Where(s => s is not null).Select(s => bytes(s!)).Max();
        Verdict? LessMemory(ClientKind client, Func<Summary, long?> bytes, params string[] phases) =>
            Memory(client, "B", bytes, phases) is { } b && Memory(client, "C", bytes, phases) is { } c && Memory(client, "D", bytes, phases) is { } d
                ? new Verdict(b < Math.Min(c, d), $"{Format.MiB(b)} vs {Format.MiB(c)}, {Format.MiB(d)} MiB")
                : null;
        rows.Add(new("memory lower than both", "gateway + children, 1 session",
            LessMemory(ClientKind.CSharp, s => s.PeakTreeBytes, Phase.SequentialKey, Phase.OneSessionKey),
            LessMemory(ClientKind.TypeScript, s => s.PeakTreeBytes, Phase.SequentialKey, Phase.OneSessionKey)));
        if (summaries.Any(s => s.Phase.Key == Phase.ManySessionsKey))
            rows.Add(new("memory lower than both", $"gateway + children, {Title(Phase.ManySessionsKey)}",
                LessMemory(ClientKind.CSharp, s => s.PeakTreeBytes, Phase.ManySessionsKey), null));
        rows.Add(new("memory lower than both", "gateway process alone, any mode",
            LessMemory(ClientKind.CSharp, s => s.PeakGatewayBytes, Modes),
            LessMemory(ClientKind.TypeScript, s => s.PeakGatewayBytes, Modes)));
        return rows;
    }

    static Verdict? OwnCpu(Summary? orch, Summary? supergateway) =>
        orch?.GatewayCpuMsPerCall is { } b && supergateway?.GatewayCpuMsPerCall is { } c
            ? new Verdict(b <= c / 4, $"{Format.Ms(b)} vs {Format.Ms(c)} ms ({Format.Times(b / c)})")
            : null;

    static Verdict? Lower(Summary? orch, Summary? supergateway, Summary? mcpProxy, Func<Summary, double> value, string unit) =>
        orch is null || supergateway is null || mcpProxy is null ? null
            : new Verdict(value(orch) < Math.Min(value(supergateway), value(mcpProxy)),
                $"{Format.Ms(value(orch))} vs {Format.Ms(value(supergateway))}, {Format.Ms(value(mcpProxy))}{unit}");

    static Verdict? Higher(Summary? orch, Summary? supergateway, Summary? mcpProxy) =>
        orch is null || supergateway is null || mcpProxy is null ? null
            : new Verdict(orch.CallsPerSecond > Math.Max(supergateway.CallsPerSecond, mcpProxy.CallsPerSecond),
                $"{Format.Rate(orch.CallsPerSecond)} vs {Format.Rate(supergateway.CallsPerSecond)}, {Format.Rate(mcpProxy.CallsPerSecond)} calls/s");
}
