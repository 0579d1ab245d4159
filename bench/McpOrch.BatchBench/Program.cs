using System.Runtime.InteropServices;
using McpOrch.BatchBench;
using McpOrch.BatchBench.Report;
using McpOrch.BatchBench.Systems;

var (options, message) = BatchBenchOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(message);
    return args.Contains("--help") || args.Contains("-h") ? 0 : 2;
}
Directory.CreateDirectory(options.OutputDirectory);

// Every process is stopped by pid when the run's `await using`s end, also on Ctrl+C, SIGTERM and the time limit.
using var stop = new CancellationTokenSource(options.TimeLimit);
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
using var log = new FileLog(Path.Combine(options.OutputDirectory, "services.log"));

var (machine, loadBefore, started) = (Machine.Describe(), Machine.Load(), DateTimeOffset.Now);
try
{
    var measurements = await new BatchBenchRun(options, log).RunAsync(stop.Token);
    var report = MarkdownReport.Render(options, machine, loadBefore, started, measurements);
    File.WriteAllText(Path.Combine(options.OutputDirectory, "results.md"), report);
    File.WriteAllLines(Path.Combine(options.OutputDirectory, "runs.csv"), RunsCsv.Lines(measurements));
    Console.Out.Write(report);
    return 0;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine($"stopped before the end (time limit {options.TimeLimit.TotalSeconds:0} s, or a signal)");
    return 1;
}
catch (Exception e)
{
    Console.Error.WriteLine($"the benchmark failed: {e.Message}\n(the services' output is in {options.OutputDirectory}/services.log)\n{e}");
    return 1;
}

void Cancel(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
