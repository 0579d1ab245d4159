using McpOrch.Core.Security;

namespace Proxy.Api.Stdio;

/// <summary>
/// The one MCP session over stdin/stdout. Its caller is the local user who started <c>mcp-orch</c>: no key is asked for
/// (nobody else can reach the pipe); its calls are audited as <c>anonymous</c>, and allow-lists and rate limits do not
/// apply. As a bridge (<c>--bridge NAME</c>, or a configuration of one remote server) it serves that one server under
/// its own names, as <c>/mcp/{server}</c> does.
/// </summary>
/// <param name="Bridge">The one server a stdio bridge serves; null for every server, merged.</param>
public sealed record StdioSession(string? Bridge)
{
    public Caller Caller => Caller.Anonymous;
}
