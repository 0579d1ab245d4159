using StackExchange.Redis;

namespace McpOrch.Core.Batch;

/// <summary>
/// Tells the executors that a run was cancelled, so that its calls in flight are cancelled upstream at once: over
/// the Redis channel <c>mcp-orch:runs:canceled</c> when the services run distributed, within the process otherwise.
/// (Executors also notice within a third of <c>execution.step_lease</c>, when renewing their claim fails.)
/// </summary>
public sealed class RunCancellation
{
    static readonly RedisChannel CanceledChannel = RedisChannel.Literal("mcp-orch:runs:canceled");

    readonly IConnectionMultiplexer? _redis;
    readonly Dictionary<Guid, List<CancellationTokenSource>> _listeners = [];
    readonly Lazy<Task> _subscription;

    /// <param name="redis">Null in single-process mode.</param>
    public RunCancellation(IConnectionMultiplexer? redis = null)
    {
        _redis = redis;
        _subscription = new(() => redis is null
            ? Task.CompletedTask
            : redis.GetSubscriber().SubscribeAsync(CanceledChannel, (_, message) =>
            {
                if (Guid.TryParse(message.ToString(), out var runId))
                    Notify(runId);
            }));
    }

    /// <summary>Tells every process that <paramref name="runId"/> was cancelled.</summary>
    public async Task SignalAsync(Guid runId)
    {
        if (_redis is null)
            Notify(runId);
        else
            await _redis.GetSubscriber().PublishAsync(CanceledChannel, runId.ToString("D"));
    }

    /// <summary>
    /// Starts listening for <paramref name="runId"/>'s cancellation, until disposed: its token is cancelled when the run
    /// is. Listen before taking work of the run, so that a cancellation in between is not missed.
    /// </summary>
    public async Task<Listener> ListenAsync(Guid runId)
    {
        await _subscription.Value;
        // Never disposed: a source without a timer holds nothing, and a late signal may still cancel it safely.
        var canceled = new CancellationTokenSource();
        lock (_listeners)
        {
            if (!_listeners.TryGetValue(runId, out var listeners))
                _listeners[runId] = listeners = [];
            listeners.Add(canceled);
        }
        return new Listener(canceled.Token, () =>
        {
            lock (_listeners)
                if (_listeners.TryGetValue(runId, out var listeners) && listeners.Remove(canceled) && listeners.Count == 0)
                    _listeners.Remove(runId);
        });
    }

    void Notify(Guid runId)
    {
        CancellationTokenSource[] listeners;
        lock (_listeners)
            listeners = _listeners.TryGetValue(runId, out var registered) ? [.. registered] : [];
        foreach (var listener in listeners)
            listener.Cancel();
    }

    /// <summary>One listener of a run's cancellation.</summary>
    public sealed class Listener(CancellationToken token, Action stop) : IDisposable
    {
        /// <summary>Cancelled when the run is.</summary>
        public CancellationToken Token { get; } = token;

        public void Dispose() => stop();
    }
}
