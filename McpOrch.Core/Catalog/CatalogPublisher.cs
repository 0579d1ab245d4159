using McpOrch.Core.Upstreams;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpOrch.Core.Catalog;

/// <summary>
/// Publishes every new catalog to the <see cref="ICatalogStore"/>, one at a time and newest first: when
/// changes come faster than the store takes them, the ones in between are skipped. Every few seconds it checks that the
/// store still holds a snapshot, and publishes again if not: a Redis restarted without persistence has lost it, and
/// the planner would find no tools until a server's tools changed.
/// </summary>
public sealed partial class CatalogPublisher(UpstreamRegistry upstreams, ICatalogStore store, ILogger<CatalogPublisher> logger)
    : BackgroundService
{
    static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(5);

    readonly SemaphoreSlim _changed = new(0);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        upstreams.CatalogChanged += OnChanged;
        try
        {
            long published = -1;
            while (!stoppingToken.IsCancellationRequested)
            {
                var catalog = upstreams.Catalog;
                if (catalog.Version != published)
                {
                    try
                    {
                        var snapshot = await store.PublishAsync(catalog, stoppingToken);
                        published = catalog.Version;
                        LogPublished(snapshot.Version, snapshot.Tools.Count);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // The store may be down for a while; the next change (or this one, retried) gets through later.
                        LogFailed(e.Message);
                        await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
                        continue;
                    }
                }
                if (!await _changed.WaitAsync(CheckInterval, stoppingToken) && !await HoldsSnapshotAsync(stoppingToken))
                {
                    LogLost();
                    published = -1;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            upstreams.CatalogChanged -= OnChanged;
        }
    }

    void OnChanged(ToolCatalog catalog) => _changed.Release();

    async Task<bool> HoldsSnapshotAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await store.HoldsSnapshotAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return true; // Unreachable for now: it is asked again at the next check.
        }
    }

    [LoggerMessage(LogLevel.Warning, "The tool catalog was missing from the store (Redis restarted without its data?); publishing it again")]
    partial void LogLost();

    [LoggerMessage(LogLevel.Debug, "Tool catalog version {Version} published ({ToolCount} tools)")]
    partial void LogPublished(long version, int toolCount);

    [LoggerMessage(LogLevel.Warning, "The tool catalog could not be published: {Error}")]
    partial void LogFailed(string error);
}
