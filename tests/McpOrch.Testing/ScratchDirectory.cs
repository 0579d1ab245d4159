namespace McpOrch.Testing;

/// <summary>A temporary directory for one fixture or test, deleted with everything in it on dispose.</summary>
public sealed class ScratchDirectory : IDisposable
{
    ScratchDirectory(string path) => Path = path;

    public string Path { get; }

    /// <summary>Creates <c>$TMPDIR/mcp-orch-{purpose}-XXXX</c>.</summary>
    public static ScratchDirectory Create(string purpose)
    {
        var directory = Directory.CreateTempSubdirectory($"mcp-orch-{purpose}-").FullName;
        // Created 0700; PostgreSQL runs as the user postgres when we are root and must be able to enter it.
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return new ScratchDirectory(directory);
    }

    public string Combine(string relativePath) => System.IO.Path.Combine(Path, relativePath);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temp folder is not worth failing a test run for.
        }
    }
}
