using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using McpOrch.Core.Configuration;
using McpOrch.Core.Runs;
using McpOrch.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace McpOrch.Core.Security;

/// <summary>
/// Writes audit records to the database off the hot path: <see cref="Write"/> only puts the record in a bounded
/// queue and never waits. A writer saves the queue in batches; while the database is away it keeps its batch and
/// tries again, records pile up in the queue, and once the queue is full (<c>security.audit_queue_size</c>) new ones
/// are dropped, counted in <c>mcp_orch.audit.dropped</c> and logged.
/// </summary>
public sealed partial class AuditLog(IServiceScopeFactory scopes, IOptions<OrchOptions> options, ILogger<AuditLog> logger) : BackgroundService
{
    const int BatchSize = 500;
    static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);
    static readonly TimeSpan DropLogInterval = TimeSpan.FromSeconds(10);

    readonly Channel<AuditRecord> _queue = Channel.CreateBounded<AuditRecord>(
        new BoundedChannelOptions(options.Value.Security.AuditQueueSize) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    long _dropped;
    long _lastDropLog = long.MinValue;

    /// <summary>How many records were dropped since the start.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Queues <paramref name="record"/>; drops it when the queue is full.</summary>
    public void Write(AuditRecord record)
    {
        if (_queue.Writer.TryWrite(record))
            return;
        var dropped = Interlocked.Increment(ref _dropped);
        OrchTelemetry.AuditRecordDropped();
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastDropLog);
        if (now - last >= DropLogInterval.TotalMilliseconds && Interlocked.CompareExchange(ref _lastDropLog, now, last) == last)
            LogDropped(logger, dropped, options.Value.Security.AuditQueueSize);
    }

    /// <summary>The arguments as the audit log keeps them (<c>security.audit_arguments</c>).</summary>
    public string? Arguments(IDictionary<string, JsonElement>? arguments)
    {
        if (arguments is null || arguments.Count == 0)
            return null;
        return options.Value.Security.AuditArguments == AuditArguments.Hash
            ? "sha256:" + Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(arguments)))
            : JsonSerializer.Serialize(arguments.Keys.ToDictionary(k => k, _ => "***"));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AuditRecord>(BatchSize);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                Fill(batch);
                await SaveAsync(batch, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: one last try for what is left, briefly.
            using var flush = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                do
                {
                    Fill(batch);
                    await SaveOnceAsync(batch, flush.Token);
                    batch.Clear();
                } while (_queue.Reader.Count > 0);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogLostAtStop(logger, batch.Count + _queue.Reader.Count, e.Message);
            }
        }
    }

    void Fill(List<AuditRecord> batch)
    {
        while (batch.Count < BatchSize && _queue.Reader.TryRead(out var record))
            batch.Add(record);
    }

    /// <summary>Saves <paramref name="batch"/>, trying again with growing pauses until it is saved; then empties it.</summary>
    async Task SaveAsync(List<AuditRecord> batch, CancellationToken cancellationToken)
    {
        for (var delay = TimeSpan.FromMilliseconds(500); ; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks)))
        {
            try
            {
                await SaveOnceAsync(batch, cancellationToken);
                batch.Clear();
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRetry(logger, batch.Count, _queue.Reader.Count, e.Message);
                await Task.Delay(delay, cancellationToken);
            }
        }
    }

    async Task SaveOnceAsync(List<AuditRecord> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
            return;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<OrchDbContext>();
        // Fresh copies: a failed attempt leaves the records tracked by a context that is gone.
        db.Audit.AddRange(batch.Select(r => new AuditRecord
        {
            At = r.At, Caller = r.Caller, Source = r.Source, Server = r.Server, Tool = r.Tool, Outcome = r.Outcome,
            DurationMs = r.DurationMs, ResultBytes = r.ResultBytes, Arguments = r.Arguments, RunId = r.RunId,
        }));
        await db.SaveChangesAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit log: {Dropped} records dropped so far: the queue to the database is full ({Capacity}). Is the database reachable?")]
    static partial void LogDropped(ILogger logger, long dropped, int capacity);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit log: {Count} records could not be saved ({Queued} more queued), trying again: {Reason}")]
    static partial void LogRetry(ILogger logger, int count, int queued, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit log: {Count} records were not saved before the service stopped: {Reason}")]
    static partial void LogLostAtStop(ILogger logger, int count, string reason);
}
