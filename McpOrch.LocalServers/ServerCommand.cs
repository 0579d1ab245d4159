using System.Diagnostics;

namespace McpOrch.LocalServers;

/// <summary>
/// How to run one local server: what the AppHost hands Aspire as an executable resource, and what the test fixtures
/// start themselves (<see cref="ServerProcess"/>), so that both run the same command.
/// </summary>
/// <param name="FileName">The binary, found with <see cref="ExecutableLookup"/>.</param>
/// <param name="Arguments">Its command line.</param>
/// <param name="WorkingDirectory">Its current folder: one the server's user may enter.</param>
/// <param name="Environment">Variables set for it, over the inherited environment.</param>
public sealed record ServerCommand(string FileName, IReadOnlyList<string> Arguments, string WorkingDirectory,
    IReadOnlyDictionary<string, string>? Environment = null)
{
    /// <summary>For <see cref="ServerProcess.Start"/>.</summary>
    public ProcessStartInfo ToStartInfo()
    {
        var startInfo = new ProcessStartInfo(FileName, Arguments) { WorkingDirectory = WorkingDirectory };
        foreach (var (name, value) in Environment ?? new Dictionary<string, string>())
            startInfo.Environment[name] = value;
        return startInfo;
    }
}
