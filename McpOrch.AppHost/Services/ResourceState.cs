namespace McpOrch.AppHost.Services;

/// <summary>Where a resource of the AppHost is, as its table shows it.</summary>
public enum ResourceState
{
    /// <summary>Waiting for the resources it depends on.</summary>
    Waiting,

    /// <summary>Started, not healthy yet.</summary>
    Starting,

    /// <summary>Up; for a service, its <c>/health</c> answered 200.</summary>
    Running,

    /// <summary>Exited on its own; restarted after a pause.</summary>
    Crashed,

    /// <summary>Stopped by the AppHost.</summary>
    Stopped,
}

/// <summary>One row of the resource table.</summary>
/// <param name="Name">The Aspire resource name, e.g. <c>proxy-api</c> or <c>executor-worker-1</c>.</param>
/// <param name="State">Where it is.</param>
/// <param name="Pid">Its process, while it has one.</param>
/// <param name="Url">Where it listens, or its connection target for a backing server.</param>
/// <param name="Restarts">How often it was restarted after crashing.</param>
/// <param name="Detail">Why it crashed, when it did.</param>
public sealed record ResourceSnapshot(string Name, ResourceState State, int? Pid, string? Url, int Restarts = 0, string? Detail = null);
