using System.Diagnostics;
using McpOrch.Bench.Load;
using McpOrch.Bench.Paths;

namespace McpOrch.Bench;

/// <summary>
/// Warm-up, then the rounds. Inside a round the paths take turns phase by phase, starting one path later each
/// round, so that a noisy moment of the machine spreads over every path instead of landing on one.
/// </summary>
public sealed class BenchRun(BenchOptions options, IReadOnlyList<BenchPath> paths, NodePackages packages)
{
    readonly Stopwatch _clock = Stopwatch.StartNew();

    public IReadOnlyList<Phase> CSharpPhases =>
    [
        Phase.Sequential(options.SequentialCalls),
        Phase.OneSession(options.Concurrency, options.LoadCalls),
        Phase.ManySessions(options.Sessions, options.Concurrency, options.LoadCalls),
    ];

    public IReadOnlyList<Phase> TypeScriptPhases =>
    [
        Phase.Sequential(options.SequentialCalls),
        Phase.OneSession(options.Concurrency, options.LoadCalls),
    ];

    public async Task<IReadOnlyList<PhaseRun>> RunAsync(CancellationToken cancellationToken)
    {
        foreach (var path in paths)
        {
            Progress($"warm-up {path.Key} {path.Name}: {options.WarmupSeconds} s of sequential and {options.Concurrency}-concurrent calls");
            await CSharpLoad.WarmUpAsync(path, options.Concurrency, TimeSpan.FromSeconds(options.WarmupSeconds), cancellationToken);
        }

        var runs = new List<PhaseRun>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            var order = paths.Skip((round - 1) % paths.Count).Concat(paths.Take((round - 1) % paths.Count)).ToList();
            foreach (var phase in CSharpPhases)
                foreach (var path in order)
                    runs.Add(Report(await CSharpLoad.RunAsync(path, phase, round, options.PhaseWarmupCalls, cancellationToken), path));
            if (!options.TypeScript)
                continue;
            foreach (var phase in TypeScriptPhases)
                foreach (var path in order.Where(p => p.ClientProtocolVersion == BenchPath.ProtocolVersion)) // The TypeScript client speaks 2025.
                    runs.Add(Report(await TypeScriptLoad.RunAsync(path, phase, round, options.PhaseWarmupCalls, packages, cancellationToken), path));
        }
        return runs;
    }

    PhaseRun Report(PhaseRun run, BenchPath path)
    {
        var sorted = run.LatenciesMs.Order().ToArray();
        var own = run.Usage.GatewayCpuSeconds is { } cpu ? $", gateway CPU {cpu * 1000 / run.Calls:0.000} ms/call" : "";
        Progress($"round {run.Round} {run.Client,-10} {run.Phase.Title,-28} {path.Key} {path.Name,-12}: p50 {sorted[sorted.Length / 2]:0.000} ms, " +
            $"{run.CallsPerSecond:0} calls/s, tree CPU {run.Usage.TreeCpuSeconds * 1000 / run.Calls:0.000} ms/call{own}");
        return run;
    }

    void Progress(string message) => Console.Error.WriteLine($"[{_clock.Elapsed:mm\\:ss}] {message}");
}
