namespace McpOrch.Core.Configuration;

/// <summary>One server of <c>mcp-config.json</c>, with every <c>${VAR}</c> expanded.</summary>
public sealed record McpServerDefinition
{
    /// <summary>The key in <c>mcpServers</c>; the namespace of the server's tools.</summary>
    public required string Name { get; init; }

    /// <summary>How the server is reached.</summary>
    public required McpTransportKind Transport { get; init; }

    /// <summary>The program to start (stdio).</summary>
    public string? Command { get; init; }

    /// <summary>Its arguments (stdio).</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>Environment variables given to the program (stdio); values may be secrets.</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    /// <summary>The working directory (stdio), absolute; relative paths are resolved against the file's folder.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>The server's URL (remote), without a user and password: those are in <see cref="Headers"/>.</summary>
    public Uri? Url { get; init; }

    /// <summary>
    /// HTTP headers sent to the server (remote), with <c>Authorization: Basic</c> for a user and password of the URL;
    /// values may be secrets.
    /// </summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>How long one call may take; unset means <c>execution.task_timeout</c>.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// <c>"isolation": "session"</c>: each MCP client session gets its own connection (its own process, for stdio), so
    /// that clients of a stateful server never see each other's state. Default <c>"shared"</c>: one for all.
    /// </summary>
    public bool IsolatePerSession { get; init; }

    /// <summary>Whether the server is switched off; disabled servers are kept but never started.</summary>
    public bool Disabled { get; init; }
}
