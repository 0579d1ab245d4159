namespace McpOrch.LocalServers;

/// <summary>Finds the binaries the launchers run, and says how to install one that is missing.</summary>
public static class ExecutableLookup
{
    const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>
    /// The full path of <paramref name="nameOrPath"/>: a path is taken as is; a bare name is searched
    /// on PATH, then in <paramref name="extraDirectories"/> (install locations Debian keeps off PATH).
    /// </summary>
    public static string? TryFind(string nameOrPath, params IEnumerable<string> extraDirectories)
    {
        if (nameOrPath.Contains('/'))
            return IsExecutable(nameOrPath) ? Path.GetFullPath(nameOrPath) : null;

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(extraDirectories)
            .Select(dir => Path.Combine(dir, nameOrPath))
            .FirstOrDefault(IsExecutable);
    }

    /// <summary>Like <see cref="TryFind"/>, but a missing binary is a <see cref="BackingServerException"/>
    /// whose message names it and the command that installs it.</summary>
    public static string Find(string nameOrPath, string installCommand, params IEnumerable<string> extraDirectories) =>
        TryFind(nameOrPath, extraDirectories) ?? throw new BackingServerException(
            nameOrPath.Contains('/')
                ? $"{nameOrPath} not found: install it with '{installCommand}'"
                : $"{nameOrPath} not found on PATH: install it with '{installCommand}'");

    /// <summary>
    /// Versioned install folders such as <c>/usr/lib/postgresql/15/bin</c>, newest version first:
    /// <paramref name="parent"/> is searched for folders named <paramref name="prefix"/>VERSION.
    /// </summary>
    public static IEnumerable<string> VersionedDirectories(string parent, string prefix, string subdirectory)
    {
        if (!Directory.Exists(parent))
            return [];
        return Directory.EnumerateDirectories(parent, prefix + "*")
            .Select(dir => (Dir: dir, Version: Version.TryParse(Path.GetFileName(dir)[prefix.Length..], out var v) ? v
                : int.TryParse(Path.GetFileName(dir)[prefix.Length..], out var major) ? new Version(major, 0) : null))
            .Where(d => d.Version is not null)
            .OrderByDescending(d => d.Version)
            .Select(d => Path.Combine(d.Dir, subdirectory));
    }

    static bool IsExecutable(string path) =>
        File.Exists(path) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & AnyExecute) != 0);
}
