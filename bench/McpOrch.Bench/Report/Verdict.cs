namespace McpOrch.Bench.Report;

/// <summary>Whether MCP Orch met a target in one mode, with the figures that decide it.</summary>
public sealed record Verdict(bool Pass, string Evidence)
{
    public override string ToString() => $"**{(Pass ? "PASS" : "MISS")}** {Evidence}";
}
