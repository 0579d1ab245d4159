namespace McpOrch.LocalServers;

/// <summary>The folder holding McpOrch.sln: where the AppHost keeps <c>.mcp-orch/</c> and tests find <c>tests/servers</c>.</summary>
public static class RepositoryRoot
{
    public const string SolutionFileName = "McpOrch.sln";

    /// <summary>Walks up from each start folder in turn; null when none is inside the repository.</summary>
    public static string? TryFind(params IEnumerable<string> startDirectories)
    {
        foreach (var start in startDirectories)
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, SolutionFileName)))
                    return dir.FullName;
            }
        }
        return null;
    }

    /// <summary>Like <see cref="TryFind"/>, but not finding it is an <see cref="InvalidOperationException"/>.</summary>
    public static string Find(params IEnumerable<string> startDirectories)
    {
        var starts = startDirectories.ToList();
        return TryFind(starts) ?? throw new InvalidOperationException(
            $"{SolutionFileName} was not found in {string.Join(" or ", starts)} or any folder above: run from inside the repository.");
    }
}
