using ModelContextProtocol;

namespace McpOrch.Core.Upstreams;

/// <summary>A tool call that produced no result; the message names the server and the tool.</summary>
public sealed class ToolCallException(string server, string tool, ToolCallFailure failure, string message,
    McpErrorCode? errorCode = null, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The upstream server.</summary>
    public string Server { get; } = server;

    /// <summary>The tool's name on that server.</summary>
    public string Tool { get; } = tool;

    /// <summary>What went wrong.</summary>
    public ToolCallFailure Failure { get; } = failure;

    /// <summary>The JSON-RPC error code the server answered with, for <see cref="ToolCallFailure.Rejected"/>.</summary>
    public McpErrorCode? ErrorCode { get; } = errorCode;

    /// <summary>For <see cref="ToolCallFailure.RateLimited"/>: when the caller may call again.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>A failure that may pass if the call is tried again: the server was away or slow.</summary>
    public bool IsTransient => Failure is ToolCallFailure.Unavailable or ToolCallFailure.Timeout;
}
