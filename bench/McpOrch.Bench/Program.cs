using System.Runtime.InteropServices;
using McpOrch.Bench;
using McpOrch.Bench.Paths;
using McpOrch.Bench.Report;

var (options, error) = BenchOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(error);
    return args.Contains("--help") || args.Contains("-h") ? 0 : 2;
}
var packages = new NodePackages(options.BenchDirectory);
if (packages.FindMissing() is { } missing)
{
    Console.Error.WriteLine($"{missing} is missing: run `npm ci` in {options.BenchDirectory} (bench/run.sh does)");
    return 2;
}
Directory.CreateDirectory(options.OutputDirectory);

// Every child is stopped by pid in the finally blocks below, also on Ctrl+C, SIGTERM and the time limit.
using var stop = new CancellationTokenSource(options.TimeLimit);
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);

var machine = MachineInfo.Read(packages);
var paths = new List<BenchPath>();
try
{
    foreach (var key in options.Paths)
        paths.Add(await Gateways.StartAsync(key, options, packages, stop.Token));
    var run = new BenchRun(options, paths, packages);
    var runs = await run.RunAsync(stop.Token);
    var report = MarkdownReport.Render(options, machine with { LoadAverageAfter = MachineInfo.LoadAverage() }, runs);
    File.WriteAllText(Path.Combine(options.OutputDirectory, "results.md"), report);
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
    // Caught so that the finally block stops the gateways (an unhandled exception would skip it).
    Console.Error.WriteLine($"the benchmark failed: {e}");
    return 1;
}
finally
{
    foreach (var path in paths)
        await path.DisposeAsync();
}

void Cancel(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
