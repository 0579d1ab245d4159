namespace McpOrch.Core.Upstreams;

/// <summary>An entry of a <see cref="StandardErrorLog"/>.</summary>
/// <param name="At">When it was read (UTC).</param>
/// <param name="Kind"><c>stderr</c>, a line the server wrote; <c>start</c>, a start of its process (the text says why, for a restart).</param>
/// <param name="Text">The line, redacted: the servers' secrets are <c>***</c>.</param>
/// <param name="Process">Which start of the server's process in this gateway wrote it, from 1.</param>
public sealed record StandardErrorLine(DateTime At, string Kind, string Text, int Process);
