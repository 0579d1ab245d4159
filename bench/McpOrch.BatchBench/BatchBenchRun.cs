using System.Diagnostics;
using McpOrch.BatchBench.Measuring;
using McpOrch.BatchBench.Systems;

namespace McpOrch.BatchBench;

/// <summary>
/// One form of MCP Orch at a time, with the direct baseline beside it: warm-up runs of every scenario on both, then the
/// measured runs, scenario by scenario, the two paths taking turns (which goes first alternates), so that a noisy moment
/// of the machine lands on both. The baseline is measured again beside each form; its runs are pooled.
/// </summary>
public sealed class BatchBenchRun(BatchBenchOptions options, FileLog log)
{
    readonly Stopwatch _clock = Stopwatch.StartNew();

    public async Task<IReadOnlyList<Measurement>> RunAsync(CancellationToken cancellationToken)
    {
        var measurements = new List<Measurement>();
        await using var baseline = await DirectBaseline.StartAsync(new BuildOutput(options.Repository).TestServer, cancellationToken);
        foreach (var form in options.Forms)
        {
            Progress($"starting the {form} form");
            await using var orch = new BatchApiPath(await OrchSystem.StartAsync(form, options, log, cancellationToken));
            IScenarioPath[] paths = [baseline, orch];
            Progress($"{orch.Name}: {options.Warmup} warm-up runs of each scenario on each path");
            for (var i = 0; i < options.Warmup; i++)
                foreach (var scenario in options.Scenarios)
                    foreach (var path in paths)
                        await path.RunAsync(scenario, cancellationToken);

            for (var run = 1; run <= options.Runs; run++)
                foreach (var scenario in options.Scenarios)
                    foreach (var path in run % 2 == 1 ? paths : [paths[1], paths[0]])
                    {
                        var timing = await path.RunAsync(scenario, cancellationToken);
                        measurements.Add(new Measurement(path.Name, path.Form, scenario, run, timing));
                        Progress($"run {run} {scenario.Key,-8} {path.Name,-26} wall {timing.WallMs,7:0.0} ms (critical path {scenario.CriticalPathMs} ms), client {timing.ClientMs,7:0.0} ms");
                    }
        }
        return measurements;
    }

    void Progress(string message) => Console.Error.WriteLine($"[{_clock.Elapsed:mm\\:ss}] {message}");
}
