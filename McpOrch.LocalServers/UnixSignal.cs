namespace McpOrch.LocalServers;

/// <summary>The signals the launchers send; the values are Linux's.</summary>
public enum UnixSignal
{
    Interrupt = 2,
    Kill = 9,
    Terminate = 15,
}
