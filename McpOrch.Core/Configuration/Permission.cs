namespace McpOrch.Core.Configuration;

/// <summary>What an API key or token allows.</summary>
public enum Permission
{
    /// <summary>List tools and servers, read run status.</summary>
    Read,

    /// <summary>Reload servers, manage keys, administer.</summary>
    Write,

    /// <summary>Call tools and run batches.</summary>
    Execute,
}
