namespace McpOrch.IntegrationTests;

/// <summary>
/// Test classes that run a whole MCP Orch system — up to ten processes with their own brokers — take turns: on a
/// small CI machine two of them at once starve each other's processes for seconds, longer than the short step leases
/// their tests use to see a lost executor's step move on.
/// </summary>
[CollectionDefinition(Name)]
public sealed class WholeSystems
{
    public const string Name = "Whole systems";
}
