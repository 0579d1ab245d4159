using System.Security.Cryptography;
using System.Text;
using McpOrch.LocalServers;

namespace McpOrch.Testing;

/// <summary>
/// Installs the npm packages of <c>tests/servers</c> with <c>npm ci</c> when node_modules is missing
/// or was installed from another package-lock.json. A machine-wide file lock keeps test projects
/// that run in parallel from installing into the same folder at once.
/// </summary>
public static class TestServerPackages
{
    const string InstalledMarker = ".mcp-orch-installed-lock-sha256";
    static readonly TimeSpan LockPollInterval = TimeSpan.FromMilliseconds(200);

    public static async Task EnsureInstalledAsync(string serversDirectory, CancellationToken cancellationToken)
    {
        var lockFileHash = Hash(await File.ReadAllBytesAsync(Path.Combine(serversDirectory, "package-lock.json"), cancellationToken));
        var marker = Path.Combine(serversDirectory, "node_modules", InstalledMarker);
        if (await IsInstalledAsync(marker, lockFileHash, cancellationToken))
            return;

        await using var installLock = await AcquireLockAsync(serversDirectory, cancellationToken);
        // Another test process may have installed them while this one waited for the lock.
        if (await IsInstalledAsync(marker, lockFileHash, cancellationToken))
            return;

        var npm = ExecutableLookup.Find("npm", "apt-get install -y nodejs npm");
        var result = await CommandRunner.RunAsync(npm, ["ci", "--no-audit", "--no-fund"], serversDirectory, cancellationToken: cancellationToken);
        if (!result.Succeeded)
            throw new InvalidOperationException($"npm ci in {serversDirectory} failed (exit code {result.ExitCode}). Its last output:\n{result.Tail()}");
        await File.WriteAllTextAsync(marker, lockFileHash, cancellationToken);
    }

    static async Task<bool> IsInstalledAsync(string marker, string lockFileHash, CancellationToken cancellationToken) =>
        File.Exists(marker) && (await File.ReadAllTextAsync(marker, cancellationToken)).Trim() == lockFileHash;

    /// <summary>An exclusive lock (flock on Linux) on a file named after the servers folder, in the temp folder.</summary>
    static async Task<FileStream> AcquireLockAsync(string serversDirectory, CancellationToken cancellationToken)
    {
        var lockPath = Path.Combine(Path.GetTempPath(), $"mcp-orch-npm-ci-{Hash(Encoding.UTF8.GetBytes(serversDirectory))[..16]}.lock");
        while (true)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(LockPollInterval, cancellationToken);
            }
        }
    }

    static string Hash(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));
}
