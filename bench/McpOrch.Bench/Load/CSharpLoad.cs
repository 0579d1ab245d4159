using System.Diagnostics;
using McpOrch.Bench.Paths;

namespace McpOrch.Bench.Load;

/// <summary>A phase made with the C# SDK client in this process.</summary>
public static class CSharpLoad
{
    static readonly TimeSpan PhaseLimit = TimeSpan.FromSeconds(180);

    /// <summary>Calls on one session for <paramref name="duration"/>, in turns sequential and <paramref name="concurrency"/> at a time.</summary>
    public static async Task WarmUpAsync(BenchPath path, int concurrency, TimeSpan duration, CancellationToken cancellationToken)
    {
        await using var session = await path.ConnectAsync(cancellationToken);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            await CallLoop.RunAsync([session], 1, 100, path.Tool, cancellationToken);
            await CallLoop.RunAsync([session], concurrency, 50 * concurrency, path.Tool, cancellationToken);
        }
    }

    /// <summary>
    /// Opens the phase's sessions, warms them up with <paramref name="warmupCalls"/> calls, measures, and closes them
    /// (after the last reading, so that no session's process ends during the measurement).
    /// </summary>
    public static async Task<PhaseRun> RunAsync(BenchPath path, Phase phase, int round, int warmupCalls, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(PhaseLimit);
        var sessions = new List<BenchSession>();
        try
        {
            for (var i = 0; i < phase.Sessions; i++)
                sessions.Add(await path.ConnectAsync(limit.Token));
            await CallLoop.RunAsync(sessions, phase.PerSession, Math.Max(warmupCalls, phase.InFlight), path.Tool, limit.Token);

            IReadOnlyList<int> roots = path.GatewayPid is { } gateway ? [gateway] : [.. sessions.Select(s => s.ServerPid!.Value)];
            var meter = ResourceMeter.Start(roots, path.GatewayPid, Environment.ProcessId);
            var (latencies, seconds) = await CallLoop.RunAsync(sessions, phase.PerSession, phase.Calls, path.Tool, limit.Token);
            return new PhaseRun(ClientKind.CSharp, path.Key, phase, round, latencies, seconds, meter.Stop());
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{path.Name}, {phase.Title}: not done within {PhaseLimit.TotalSeconds:0} s");
        }
        finally
        {
            foreach (var session in sessions)
                await session.DisposeAsync();
        }
    }
}
