namespace McpOrch.LocalServers;

/// <summary>
/// A backing server could not be started or stopped. The message says what is wrong and what to do
/// about it (which package to install, the tail of the server's own log), so callers show it as is.
/// </summary>
public sealed class BackingServerException : Exception
{
    public BackingServerException(string message) : base(message) { }

    public BackingServerException(string message, Exception innerException) : base(message, innerException) { }
}
