namespace McpOrch.Bench.Report;

/// <summary>One target in one mode; a verdict is null where that client has no such phase.</summary>
public sealed record TargetRow(string Target, string Mode, Verdict? CSharp, Verdict? TypeScript);
