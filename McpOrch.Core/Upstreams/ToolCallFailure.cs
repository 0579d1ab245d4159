namespace McpOrch.Core.Upstreams;

/// <summary>Why a tool call produced no result.</summary>
public enum ToolCallFailure
{
    /// <summary>The server is not connected, or its connection dropped during the call.</summary>
    Unavailable,

    /// <summary>The call took longer than the server's timeout and was cancelled upstream.</summary>
    Timeout,

    /// <summary>The server answered with a protocol error (for example invalid arguments).</summary>
    Rejected,
}
