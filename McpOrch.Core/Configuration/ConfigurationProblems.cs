namespace McpOrch.Core.Configuration;

/// <summary>
/// What was wrong with the configuration, collected while reading it so that one start-up
/// reports every problem at once. Messages name the place and the fix, never a secret value.
/// </summary>
public sealed class ConfigurationProblems
{
    readonly List<string> _errors = [];
    readonly List<string> _warnings = [];

    /// <summary>Problems that stop the process.</summary>
    public IReadOnlyList<string> Errors => _errors;

    /// <summary>Things that are ignored, reported at start-up.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    internal void Error(string message) => _errors.Add(message);

    internal void Warning(string message) => _warnings.Add(message);

    /// <summary>Throws <see cref="OrchConfigurationException"/> with every error when there is one.</summary>
    public void ThrowIfAny()
    {
        if (_errors.Count > 0)
            throw new OrchConfigurationException(_errors);
    }
}
