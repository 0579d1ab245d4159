using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace McpOrch.Core.Batch;

/// <summary>
/// Each run's events in the Redis stream <c>mcp-orch:run:{id}:events</c> (stream ids are the event ids), kept for
/// <see cref="Retention"/> after the run's last event. Appends are announced on <c>mcp-orch:run-events</c>, so that
/// readers in any process wake at once instead of polling.
/// </summary>
public sealed partial class RedisRunEventLog : IRunEventLog
{
    /// <summary>How long a finished run's events stay readable.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(7);

    static readonly RedisChannel AppendedChannel = RedisChannel.Literal("mcp-orch:run-events");
    static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    const string Field = "event";

    readonly IConnectionMultiplexer _redis;
    readonly ILogger<RedisRunEventLog> _logger;
    readonly RunWaiters _waiters = new();
    readonly Lazy<Task> _subscription;

    public RedisRunEventLog(IConnectionMultiplexer redis, ILogger<RedisRunEventLog> logger)
    {
        _redis = redis;
        _logger = logger;
        _subscription = new(() => redis.GetSubscriber().SubscribeAsync(AppendedChannel, (_, message) =>
        {
            if (Guid.TryParse(message.ToString(), out var runId))
                _waiters.Wake(runId);
        }));
    }

    public static RedisKey Key(Guid runId) => $"mcp-orch:run:{runId:D}:events";

    public async Task AppendAsync(RunEvent runEvent, CancellationToken cancellationToken)
    {
        try
        {
            var database = _redis.GetDatabase();
            await database.StreamAddAsync(Key(runEvent.RunId), Field, JsonSerializer.Serialize(runEvent, RunEvent.JsonOptions));
            if (runEvent.IsLast)
                await database.KeyExpireAsync(Key(runEvent.RunId), Retention);
            // Readers poll too: the announcement need not cost the appender a round trip.
            await _redis.GetSubscriber().PublishAsync(AppendedChannel, runEvent.RunId.ToString("D"), CommandFlags.FireAndForget);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogLost(_logger, runEvent.Type, runEvent.RunId, e.Message);
        }
    }

    public async IAsyncEnumerable<(string Id, RunEvent Event)> ReadAsync(Guid runId, string? afterId, bool follow,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (follow)
            await _subscription.Value;
        // "(" makes the range start after the given id (Redis 6.2).
        var from = afterId is null ? "-" : "(" + afterId;
        while (true)
        {
            // Only a follower waits; a waiter nobody wakes would stay behind.
            var appended = follow ? _waiters.Next(runId) : Task.CompletedTask;
            var entries = await _redis.GetDatabase().StreamRangeAsync(Key(runId), from, "+", count: 500);
            foreach (var entry in entries)
            {
                from = "(" + entry.Id;
                var runEvent = JsonSerializer.Deserialize<RunEvent>(entry[Field].ToString(), RunEvent.JsonOptions)!;
                yield return (entry.Id.ToString(), runEvent);
                if (runEvent.IsLast)
                    yield break;
            }
            if (entries.Length > 0)
                continue;
            if (!follow)
                yield break;
            // The announcement wakes us; the poll covers one lost while Redis reconnected.
            try
            {
                await appended.WaitAsync(PollInterval, cancellationToken);
            }
            catch (TimeoutException)
            {
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {Type} of run {RunId} was not written to Redis ({Reason}); the run goes on, the database has its state.")]
    static partial void LogLost(ILogger logger, string type, Guid runId, string reason);
}
