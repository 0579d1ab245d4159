using McpOrch.Bench;
using McpOrch.BatchBench;
using McpOrch.BatchBench.Report;
using McpOrch.BatchBench.Systems;

var (options, message) = BatchBenchOptions.Parse(args);
if (options is null)
    return BenchProgram.Refuse(message, args);
Directory.CreateDirectory(options.OutputDirectory);
using var log = new FileLog(Path.Combine(options.OutputDirectory, "services.log"));
Console.Error.WriteLine($"the output of every process the benchmark starts goes to {options.OutputDirectory}/services.log");

var (machine, loadBefore, started) = (Machine.Describe(), Machine.Load(), DateTimeOffset.Now);
// Every process is stopped by pid when the run's `await using`s end, also on Ctrl+C, SIGTERM and the time limit.
return await BenchProgram.RunAsync(options.TimeLimit, async stop =>
{
    var measurements = await new BatchBenchRun(options, log).RunAsync(stop);
    var report = MarkdownReport.Render(options, machine, loadBefore, started, measurements);
    File.WriteAllText(Path.Combine(options.OutputDirectory, "results.md"), report);
    File.WriteAllLines(Path.Combine(options.OutputDirectory, "runs.csv"), RunsCsv.Lines(measurements));
    Console.Out.Write(report);
});
