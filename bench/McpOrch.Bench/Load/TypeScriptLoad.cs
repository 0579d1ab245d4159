using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using McpOrch.Bench.Paths;
using McpOrch.Bench.Processes;

namespace McpOrch.Bench.Load;

/// <summary>A phase made with the TypeScript SDK client: ts-client/bench.mjs, driven line by line over its stdin and stdout.</summary>
public static class TypeScriptLoad
{
    static readonly TimeSpan PhaseLimit = TimeSpan.FromSeconds(180);

    public static async Task<PhaseRun> RunAsync(BenchPath path, Phase phase, int round, int warmupCalls, NodePackages packages,
        CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(PhaseLimit);
        // --no-warnings: the SDK's Streamable HTTP transport hands one long-lived AbortSignal to every fetch, whose abort
        // listeners pile up until a GC; past 1500 Node prints a MaxListenersExceededWarning for every further call,
        // which would be measured as client work.
        var startInfo = packages.StartInfo(
        [
            "--no-warnings", packages.TypeScriptClient, "--tool", path.Tool, "--calls", Text(phase.Calls), "--sessions", Text(phase.Sessions),
            "--concurrency", Text(phase.PerSession), "--warmup", Text(Math.Max(warmupCalls, phase.InFlight)),
            "--time-limit", Text((int)PhaseLimit.TotalSeconds), .. path.TypeScriptTarget,
        ]);
        startInfo.RedirectStandardInput = startInfo.RedirectStandardOutput = startInfo.RedirectStandardError = true;
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("node did not start");
        var errors = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (errors) errors.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        process.StandardInput.AutoFlush = true;
        try
        {
            (await ExpectAsync(process, errors, limit.Token)).Dispose(); // {"ready":true}
            IReadOnlyList<int> roots = path.GatewayPid is { } gateway ? [gateway] : ProcFs.Children(process.Id);
            var meter = ResourceMeter.Start(roots, path.GatewayPid, process.Id);
            await process.StandardInput.WriteLineAsync("go");
            using var result = await ExpectAsync(process, errors, limit.Token);
            var usage = meter.Stop();
            await process.StandardInput.WriteLineAsync("close");
            process.StandardInput.Close();
            await process.WaitForExitAsync(limit.Token);

            var latencies = result.RootElement.GetProperty("latenciesMs").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            return new PhaseRun(ClientKind.TypeScript, path.Key, phase, round, latencies, result.RootElement.GetProperty("seconds").GetDouble(), usage);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"TypeScript client, {path.Name}, {phase.Title}: not done within {PhaseLimit.TotalSeconds:0} s");
        }
        finally
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
    }

    static async Task<JsonDocument> ExpectAsync(Process process, StringBuilder errors, CancellationToken cancellationToken)
    {
        var line = await process.StandardOutput.ReadLineAsync(cancellationToken);
        if (line is not null)
            return JsonDocument.Parse(line);
        await process.WaitForExitAsync(cancellationToken);
        lock (errors)
            throw new InvalidOperationException($"the TypeScript client exited with code {process.ExitCode}: {errors.ToString().Trim()}");
    }

    static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
