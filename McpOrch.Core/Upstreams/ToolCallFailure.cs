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

    /// <summary>The caller may not call the tool (its key's allow-list, or no execute permission).</summary>
    Denied,

    /// <summary>The caller used up its tool calls for now; <see cref="ToolCallException.RetryAfter"/> says when to try again.</summary>
    RateLimited,

    /// <summary>The arguments break a limit of the gateway (<c>security.max_json_depth</c>).</summary>
    InvalidArguments,

    /// <summary>The result is larger than <c>security.max_result_bytes</c>.</summary>
    TooLarge,
}
