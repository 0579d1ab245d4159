namespace McpOrch.Core.Configuration;

/// <summary>Which surfaces a gateway serves.</summary>
public enum ServerMode
{
    /// <summary>The MCP endpoints and the REST tool API; no batch runs.</summary>
    Proxy,

    /// <summary>Batch runs and the REST tool API; no MCP endpoint.</summary>
    Batch,

    /// <summary>Everything.</summary>
    Hybrid,
}
