using McpOrch.Core.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpOrch.Core.Upstreams;

/// <summary>
/// Re-reads mcp-config.json on request (<c>POST /servers/reload</c>) and when the file changes, and moves the
/// <see cref="UpstreamRegistry"/> to it. A file with problems changes nothing: the running servers stay as they are.
/// </summary>
public sealed partial class ServerConfigurationWatcher(UpstreamRegistry upstreams, McpServersConfiguration initial,
    ILogger<ServerConfigurationWatcher> logger) : IHostedService, IDisposable
{
    // Editors save in bursts (truncate, write, rename): one reload after the burst.
    static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    FileSystemWatcher? _watcher;
    Timer? _debounce;

    /// <summary>The file that is watched and re-read.</summary>
    public string? Path => initial.Source;

    /// <summary>Reads the file again and applies it.</summary>
    /// <exception cref="OrchConfigurationException">The file is missing or has problems; nothing was changed.</exception>
    public async Task<ReloadResult> ReloadAsync(CancellationToken cancellationToken)
    {
        var path = Path ?? throw new OrchConfigurationException(["There is no mcp-config.json to reload: start mcp-orch with --config PATH."]);
        var problems = new ConfigurationProblems();
        var servers = File.Exists(path)
            ? McpServersFile.Load(path, Environment.GetEnvironmentVariable, problems)
            : McpServersConfiguration.Empty;
        if (!File.Exists(path))
            problems.Error($"{System.IO.Path.GetFileName(path)}: no such file at {path}: the running servers are kept.");
        problems.ThrowIfAny();
        foreach (var warning in problems.Warnings)
            LogWarning(warning);

        var result = await upstreams.ReloadAsync(servers, cancellationToken);
        LogReloaded(string.Join(", ", result.Added), string.Join(", ", result.Removed), string.Join(", ", result.Restarted), result.Unchanged.Count);
        return result;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Path is { } path && Directory.Exists(System.IO.Path.GetDirectoryName(path)))
        {
            _debounce = new Timer(_ => _ = ReloadAfterChangeAsync());
            _watcher = new FileSystemWatcher(System.IO.Path.GetDirectoryName(path)!, System.IO.Path.GetFileName(path))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size,
            };
            _watcher.Changed += OnFileEvent;
            _watcher.Created += OnFileEvent;
            _watcher.Renamed += OnFileEvent;
            _watcher.EnableRaisingEvents = true;
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _debounce?.Dispose();
    }

    void OnFileEvent(object sender, FileSystemEventArgs e) => _debounce?.Change(Quiet, Timeout.InfiniteTimeSpan);

    async Task ReloadAfterChangeAsync()
    {
        try
        {
            await ReloadAsync(CancellationToken.None);
        }
        catch (OrchConfigurationException e)
        {
            LogRejected(string.Join(Environment.NewLine + "  ", e.Errors));
        }
        catch (Exception e)
        {
            LogFailed(e);
        }
    }

    [LoggerMessage(LogLevel.Information, "mcp-config.json reloaded: added [{Added}], removed [{Removed}], restarted [{Restarted}], {Unchanged} unchanged")]
    partial void LogReloaded(string added, string removed, string restarted, int unchanged);

    [LoggerMessage(LogLevel.Warning, "Configuration: {Warning}")]
    partial void LogWarning(string warning);

    [LoggerMessage(LogLevel.Error, "mcp-config.json changed but was not applied; the running servers are kept:\n  {Errors}")]
    partial void LogRejected(string errors);

    [LoggerMessage(LogLevel.Error, "Reloading mcp-config.json failed")]
    partial void LogFailed(Exception exception);
}
