namespace McpOrch.Core.Configuration;

/// <summary>Which surfaces a gateway serves.</summary>
public enum ServerMode
{
    /// <summary>The MCP endpoint and the REST tool API.</summary>
    Proxy,

    /// <summary>Batch jobs only.</summary>
    Batch,

    /// <summary>Both.</summary>
    Hybrid,
}
