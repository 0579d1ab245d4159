namespace McpOrch.Core.Configuration;

/// <summary>What an API key or token allows; a caller holds a set of them.</summary>
[Flags]
public enum Permission
{
    None = 0,

    /// <summary>List tools and servers, read run status.</summary>
    Read = 1,

    /// <summary>Reload servers, manage keys, read the audit log.</summary>
    Write = 2,

    /// <summary>Call tools and run batches.</summary>
    Execute = 4,

    All = Read | Write | Execute,
}
