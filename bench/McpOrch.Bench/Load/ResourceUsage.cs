namespace McpOrch.Bench.Load;

/// <summary>What the measured calls of one phase cost.</summary>
/// <param name="TreeCpuSeconds">CPU time of the gateway and all its descendants (for direct stdio: the server processes).</param>
/// <param name="GatewayCpuSeconds">CPU time of the gateway process alone; null for direct stdio.</param>
/// <param name="ClientCpuSeconds">CPU time of the client process (not its children).</param>
/// <param name="TreeResidentBytes">VmRSS summed over the tree at the end of the phase, sessions still open.</param>
/// <param name="GatewayResidentBytes">VmRSS of the gateway process alone at the end of the phase.</param>
/// <param name="TreeProcesses">How many processes the tree had at the end.</param>
public sealed record ResourceUsage(double TreeCpuSeconds, double? GatewayCpuSeconds, double ClientCpuSeconds,
    long TreeResidentBytes, long? GatewayResidentBytes, int TreeProcesses);
