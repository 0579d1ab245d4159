namespace McpOrch.Core.Configuration;

/// <summary>The configuration cannot be used; the message has one line per problem, each naming the place and the fix.</summary>
public sealed class OrchConfigurationException(IReadOnlyList<string> errors)
    : Exception(string.Join(Environment.NewLine, errors))
{
    /// <summary>Each problem on its own.</summary>
    public IReadOnlyList<string> Errors { get; } = errors;

    /// <summary>"the configuration has 2 problems:" and an indented line per problem, for the start-up message.</summary>
    public string Report =>
        $"the configuration has {(Errors.Count == 1 ? "1 problem" : $"{Errors.Count} problems")}:" +
        string.Concat(Errors.Select(e => $"{Environment.NewLine}  {e}"));
}
