using System.Globalization;
using McpOrch.BatchBench.Measuring;

namespace McpOrch.BatchBench.Report;

/// <summary>Every measured run as a line of CSV, for a closer look than the tables give.</summary>
public static class RunsCsv
{
    public static IEnumerable<string> Lines(IEnumerable<Measurement> measurements) =>
    [
        "path,scenario,run,wall_ms,client_ms,chain_dispatch_ms,chain_in_step_ms,end_ms,dispatch_ms_of_every_step",
        .. measurements.Select(m => string.Join(',', m.Path, m.Scenario.Key, m.Run, Number(m.Timing.WallMs), Number(m.Timing.ClientMs),
            Number(m.Timing.Breakdown?.DispatchMs), Number(m.Timing.Breakdown?.InStepMs), Number(m.Timing.Breakdown?.FinishMs),
            string.Join(' ', m.Timing.Breakdown?.EveryDispatchMs.Select(d => Number(d)) ?? []))),
    ];

    static string Number(double? ms) => ms?.ToString("0.0", CultureInfo.InvariantCulture) ?? "";
}
