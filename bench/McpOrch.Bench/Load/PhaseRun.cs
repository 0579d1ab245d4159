namespace McpOrch.Bench.Load;

/// <summary>The measured part of one phase on one path in one round.</summary>
public sealed record PhaseRun(ClientKind Client, string Path, Phase Phase, int Round, double[] LatenciesMs, double Seconds, ResourceUsage Usage)
{
    public int Calls => LatenciesMs.Length;

    public double CallsPerSecond => Calls / Seconds;
}
