namespace McpOrch.Core.Upstreams;

/// <summary>How an upstream connection is started and restarted.</summary>
public sealed record SupervisionPolicy
{
    /// <summary>How long connecting and listing the tools may take before the attempt counts as failed.</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The first delay before a restart; it doubles with each failure in a row.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between two attempts while the server is not yet down.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Failures in a row after which the server is marked down.</summary>
    public int FailuresBeforeDown { get; init; } = 5;

    /// <summary>The delay between attempts once the server is down.</summary>
    public TimeSpan DownRetryInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The delay before attempt number <paramref name="failures"/> + 1, with ±20 % jitter so that servers do not restart in lockstep.</summary>
    public TimeSpan Backoff(int failures)
    {
        if (failures >= FailuresBeforeDown)
            return DownRetryInterval;
        var exponential = InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Max(0, failures - 1));
        var capped = Math.Min(exponential, MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.8 + (0.4 * Random.Shared.NextDouble())));
    }
}
