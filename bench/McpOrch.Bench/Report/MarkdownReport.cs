using System.Text;
using McpOrch.Bench.Load;
using McpOrch.Bench.Paths;

namespace McpOrch.Bench.Report;

/// <summary>The run's figures as markdown: absolute figures per client, distance to direct stdio, and the targets.</summary>
public static class MarkdownReport
{
    public static string Render(BenchOptions options, MachineInfo machine, IReadOnlyList<PhaseRun> runs)
    {
        var summaries = Summary.From(runs);
        var text = new StringBuilder();
        Header(text, options, machine);
        CSharpTables(text, summaries, options);
        if (summaries.Any(s => s.Client == ClientKind.TypeScript))
            TypeScriptTable(text, summaries, options);
        Distance(text, summaries);
        text.AppendLine("### Targets (MCP Orch = B, against supergateway = C and mcp-proxy = D)").AppendLine();
        text.AppendLine("| target | mode | C# SDK client | TypeScript SDK client |").AppendLine("|---|---|---|---|");
        foreach (var row in Targets.Evaluate(summaries))
            text.AppendLine($"| {row.Target} | {row.Mode} | {Show(row.CSharp)} | {Show(row.TypeScript)} |");
        return text.AppendLine().ToString();
    }

    static void Header(StringBuilder text, BenchOptions options, MachineInfo machine)
    {
        text.AppendLine($"## Run of {machine.Started:yyyy-MM-dd HH:mm zzz}").AppendLine();
        text.AppendLine($"- Machine: {machine.Processors} cores ({machine.CpuModel}), {machine.Memory} memory; load average {machine.LoadAverageBefore} before, {machine.LoadAverageAfter} after.");
        text.AppendLine($"- {machine.Runtime}; Node {machine.Node}; " + string.Join(", ", machine.Packages.Select(p => $"{p.Key} {p.Value}")) + "; C# client ModelContextProtocol.Core 2.3.1; protocol " + BenchPath.ProtocolVersion +
            (options.Paths.Contains("E") ? " (path E: 2026-07-28)" : "") + ".");
        text.AppendLine($"- {options.Rounds} rounds; per path and round: {options.SequentialCalls} sequential calls, {options.LoadCalls} calls with {options.Concurrency} concurrent on 1 session, " +
            $"{options.LoadCalls} calls on {options.Sessions} sessions × {options.Concurrency / options.Sessions} concurrent; {options.WarmupSeconds} s of warm-up calls per path first, {options.PhaseWarmupCalls} more after each phase's sessions open.");
        text.AppendLine($"- supergateway --logLevel {options.SupergatewayLogLevel}" + (options.OrchEnvironment.Count == 0 ? "; MCP Orch as built, default settings." : $"; MCP Orch with {string.Join(", ", options.OrchEnvironment.Select(e => $"{e.Key}={e.Value}"))}."));
        text.AppendLine("- Latency percentiles pool every call of every round; calls/s is the median round (range in brackets); CPU per call is the CPU time of all rounds over their calls; memory is the highest VmRSS at the end of a round.").AppendLine();
    }

    static void CSharpTables(StringBuilder text, IReadOnlyList<Summary> summaries, BenchOptions options)
    {
        var paths = summaries.Where(s => s.Client == ClientKind.CSharp).Select(s => s.Path).Distinct().Order().ToList();
        Summary? Find(string path, string phase) => summaries.FirstOrDefault(s => s.Client == ClientKind.CSharp && s.Path == path && s.Phase.Key == phase);

        text.AppendLine("### C# SDK client: latency and throughput").AppendLine();
        text.AppendLine($"| path | sequential p50 ms | sequential p99 ms | {options.Concurrency} concurrent, 1 session: calls/s | p50 ms | {options.Sessions} sessions × {options.Concurrency / options.Sessions}: calls/s | p50 ms |");
        text.AppendLine("|---|--:|--:|--:|--:|--:|--:|");
        foreach (var path in paths)
        {
            var (seq, one, many) = (Find(path, Phase.SequentialKey), Find(path, Phase.OneSessionKey), Find(path, Phase.ManySessionsKey));
            text.AppendLine($"| {Name(path)} | {Format.Ms(seq?.P50)} | {Format.Ms(seq?.P99)} | {Rate(one)} | {Format.Ms(one?.P50)} | {Rate(many)} | {Format.Ms(many?.P50)} |");
        }
        text.AppendLine();

        text.AppendLine("### C# SDK client: CPU time per call and memory").AppendLine();
        text.AppendLine("CPU in ms per call, for the sequential / 1-session concurrent / multi-session phases. *Tree*: the gateway and all its children " +
            "(for direct stdio: the server processes); *gateway*: the gateway process alone; *client*: the benchmark process. Memory: VmRSS in MiB.").AppendLine();
        text.AppendLine("| path | tree CPU | gateway CPU | client CPU | tree RSS, 1 session | tree RSS, many sessions (processes) | gateway RSS |");
        text.AppendLine("|---|--:|--:|--:|--:|--:|--:|");
        foreach (var path in paths)
        {
            var phases = new[] { Phase.SequentialKey, Phase.OneSessionKey, Phase.ManySessionsKey }.Select(p => Find(path, p)).ToList();
            string Three(Func<Summary, double?> value) => string.Join(" / ", phases.Select(s => s is null ? "—" : Format.Ms(value(s))));
            var oneSession = phases.Take(2).Where(s => s is not null).Select(s => s!.PeakTreeBytes).DefaultIfEmpty().Max();
            var many = phases[2];
            var gateway = phases.Where(s => s?.PeakGatewayBytes is not null).Select(s => s!.PeakGatewayBytes).DefaultIfEmpty().Max();
            text.AppendLine($"| {Name(path)} | {Three(s => s.TreeCpuMsPerCall)} | {Three(s => s.GatewayCpuMsPerCall)} | {Three(s => s.ClientCpuMsPerCall)} | " +
                $"{Format.MiB(oneSession)} | {(many is null ? "—" : $"{Format.MiB(many.PeakTreeBytes)} ({many.TreeProcesses})")} | {Format.MiB(gateway)} |");
        }
        text.AppendLine();
    }

    static void TypeScriptTable(StringBuilder text, IReadOnlyList<Summary> summaries, BenchOptions options)
    {
        Summary? Find(string path, string phase) => summaries.FirstOrDefault(s => s.Client == ClientKind.TypeScript && s.Path == path && s.Phase.Key == phase);
        text.AppendLine("### TypeScript SDK client").AppendLine();
        text.AppendLine("CPU in ms per call, sequential / concurrent. Earlier reference figures on this machine with this client: direct stdio p50 0.26 ms and 18,000 calls/s; " +
            "supergateway p50 1.8 ms, 1,250 calls/s, 1.5 ms own CPU per call; mcp-proxy p50 3.0 ms, 1,390 calls/s, 1.7 ms CPU per call.").AppendLine();
        text.AppendLine($"| path | sequential p50 ms | sequential p99 ms | {options.Concurrency} concurrent: calls/s | p50 ms | tree CPU | gateway CPU | client CPU | tree RSS MiB |");
        text.AppendLine("|---|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (var path in summaries.Where(s => s.Client == ClientKind.TypeScript).Select(s => s.Path).Distinct().Order())
        {
            var (seq, one) = (Find(path, Phase.SequentialKey), Find(path, Phase.OneSessionKey));
            string Two(Func<Summary, double?> value) => string.Join(" / ", new[] { seq, one }.Select(s => s is null ? "—" : Format.Ms(value(s))));
            text.AppendLine($"| {Name(path)} | {Format.Ms(seq?.P50)} | {Format.Ms(seq?.P99)} | {Rate(one)} | {Format.Ms(one?.P50)} | " +
                $"{Two(s => s.TreeCpuMsPerCall)} | {Two(s => s.GatewayCpuMsPerCall)} | {Two(s => s.ClientCpuMsPerCall)} | {Format.MiB(Math.Max(seq?.PeakTreeBytes ?? 0, one?.PeakTreeBytes ?? 0))} |");
        }
        text.AppendLine();
    }

    /// <summary>How far each gateway is from the limit, direct stdio: latency as a multiple, throughput as a share.</summary>
    static void Distance(StringBuilder text, IReadOnlyList<Summary> summaries)
    {
        Summary? Find(ClientKind client, string path, string phase) => summaries.FirstOrDefault(s => s.Client == client && s.Path == path && s.Phase.Key == phase);
        text.AppendLine("### Distance to the limit (direct stdio, A)").AppendLine();
        text.AppendLine("Median latency as a multiple of direct stdio's; throughput as a share of direct stdio's, in the same mode with the same client.").AppendLine();
        text.AppendLine("| path | client | sequential p50 | 1-session concurrent p50 | 1-session calls/s | multi-session calls/s |").AppendLine("|---|---|--:|--:|--:|--:|");
        foreach (var client in Enum.GetValues<ClientKind>())
            foreach (var path in summaries.Where(s => s.Client == client && s.Path != "A").Select(s => s.Path).Distinct().Order())
            {
                string Latency(string phase) => Find(client, path, phase) is { } s && Find(client, "A", phase) is { } a ? Format.Times(s.P50 / a.P50) : "—";
                string Share(string phase) => Find(client, path, phase) is { } s && Find(client, "A", phase) is { } a ? Format.Percent(s.CallsPerSecond / a.CallsPerSecond) : "—";
                text.AppendLine($"| {Name(path)} | {(client == ClientKind.CSharp ? "C#" : "TypeScript")} | {Latency(Phase.SequentialKey)} | {Latency(Phase.OneSessionKey)} | " +
                    $"{Share(Phase.OneSessionKey)} | {Share(Phase.ManySessionsKey)} |");
            }
        text.AppendLine();
    }

    static string Name(string path) => $"{path} {Gateways.Names[path]}";

    static string Rate(Summary? s) => s is null ? "—" : $"{Format.Rate(s.CallsPerSecond)} ({Format.Rate(s.MinCallsPerSecond)}–{Format.Rate(s.MaxCallsPerSecond)})";

    static string Show(Verdict? verdict) => verdict?.ToString() ?? "—";
}
