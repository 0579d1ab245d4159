using McpOrch.Bench;
using McpOrch.Bench.Paths;
using McpOrch.Bench.Report;

var (options, error) = BenchOptions.Parse(args);
if (options is null)
    return BenchProgram.Refuse(error, args);
var packages = new NodePackages(options.BenchDirectory);
if (packages.FindMissing() is { } missing)
{
    Console.Error.WriteLine($"{missing} is missing: run `npm ci` in {options.BenchDirectory} (bench/run.sh does)");
    return 2;
}
Directory.CreateDirectory(options.OutputDirectory);

var machine = MachineInfo.Read(packages);
// Every child is stopped by pid in the finally block, also on Ctrl+C, SIGTERM and the time limit.
return await BenchProgram.RunAsync(options.TimeLimit, async stop =>
{
    var paths = new List<BenchPath>();
    try
    {
        foreach (var key in options.Paths)
            paths.Add(await Gateways.StartAsync(key, options, packages, stop));
        var run = new BenchRun(options, paths, packages);
        var runs = await run.RunAsync(stop);
        var report = MarkdownReport.Render(options, machine with { LoadAverageAfter = MachineInfo.LoadAverage() }, runs);
        File.WriteAllText(Path.Combine(options.OutputDirectory, "results.md"), report);
        Console.Out.Write(report);
    }
    finally
    {
        foreach (var path in paths)
            await path.DisposeAsync();
    }
});
