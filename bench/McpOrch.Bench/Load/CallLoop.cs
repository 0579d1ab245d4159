using System.Diagnostics;
using McpOrch.Bench.Paths;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpOrch.Bench.Load;

/// <summary>The C# client's closed loop: every caller makes its next call as soon as its last one answers.</summary>
public static class CallLoop
{
    static readonly IReadOnlyDictionary<string, object?> Arguments = new Dictionary<string, object?> { ["message"] = "hello" };

    /// <returns>Each call's latency, and the time from the first call to the last answer.</returns>
    public static async Task<(double[] LatenciesMs, double Seconds)> RunAsync(IReadOnlyList<BenchSession> sessions, int perSession,
        int calls, string tool, CancellationToken cancellationToken)
    {
        var remaining = calls;
        var completed = -1;
        var latencies = new double[calls];
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(sessions.SelectMany(s => Enumerable.Range(0, perSession).Select(_ => CallerAsync(s.Client))));
        return (latencies, Stopwatch.GetElapsedTime(started).TotalSeconds);

        async Task CallerAsync(McpClient client)
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                var callStarted = Stopwatch.GetTimestamp();
                var result = await client.CallToolAsync(tool, Arguments, cancellationToken: cancellationToken);
                var latency = Stopwatch.GetElapsedTime(callStarted);
                if (result.IsError == true || result.Content is not [TextContentBlock { Text: "Echo: hello" }])
                    throw new InvalidOperationException($"'{tool}' answered something else than \"Echo: hello\": {string.Join(' ', result.Content.OfType<TextContentBlock>().Select(c => c.Text))}");
                latencies[Interlocked.Increment(ref completed)] = latency.TotalMilliseconds;
            }
        }
    }
}
