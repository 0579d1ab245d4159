namespace McpOrch.Core.Upstreams;

/// <summary>Where an upstream server is in its life.</summary>
public enum UpstreamState
{
    /// <summary>Connecting for the first time.</summary>
    Starting,

    /// <summary>Connected; its tools are in the catalog.</summary>
    Healthy,

    /// <summary>Failed or dropped; a new attempt follows after a backoff.</summary>
    Restarting,

    /// <summary>Failed repeatedly; retried slowly.</summary>
    Down,

    /// <summary>Switched off in the configuration.</summary>
    Disabled,

    /// <summary>Stopped with the proxy or removed from the configuration.</summary>
    Stopped,
}
