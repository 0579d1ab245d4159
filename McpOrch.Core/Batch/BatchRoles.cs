namespace McpOrch.Core.Batch;

/// <summary>What a service does for batch runs.</summary>
[Flags]
public enum BatchRoles
{
    /// <summary>Accepts runs, reports them, cancels them, and migrates the database (Proxy.Api).</summary>
    Api = 1,

    /// <summary>Plans runs and coordinates their steps (Planner.Worker).</summary>
    Planner = 2,

    /// <summary>Runs steps (Executor.Worker).</summary>
    Executor = 4,

    /// <summary>Everything, in one process: the single-process mode.</summary>
    All = Api | Planner | Executor,
}
