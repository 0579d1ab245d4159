using System.Runtime.InteropServices;

namespace McpOrch.Bench;

/// <summary>
/// What every benchmark program needs to stop the processes it starts: the run's token is cancelled by the time limit,
/// Ctrl+C and SIGTERM, and every way the run can end becomes an exit code. An exception is caught here rather than left
/// unhandled, which would skip the run's <c>finally</c> blocks and <c>await using</c>s — the code that stops the children.
/// </summary>
public static class BenchProgram
{
    /// <summary>For options that did not parse: prints <paramref name="message"/> (an error, or the usage for --help) and returns the exit code.</summary>
    public static int Refuse(string? message, IReadOnlyList<string> args)
    {
        Console.Error.WriteLine(message);
        return args.Contains("--help") || args.Contains("-h") ? 0 : 2;
    }

    /// <returns>0 when <paramref name="run"/> finished, 1 when it failed or was stopped.</returns>
    public static async Task<int> RunAsync(TimeSpan timeLimit, Func<CancellationToken, Task> run)
    {
        using var stop = new CancellationTokenSource(timeLimit);
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        try
        {
            await run(stop.Token);
            return 0;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            Console.Error.WriteLine($"stopped before the end (time limit {timeLimit.TotalSeconds:0} s, or a signal)");
            return 1;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"the benchmark failed: {e}");
            return 1;
        }

        void Cancel(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }
}
