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
    readonly Dictionary<Guid, List<Action>> _listeners = [];
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

    /// <summary>Calls <paramref name="onCanceled"/> when <paramref name="runId"/> is cancelled, until disposed.</summary>
    public async Task<IDisposable> ListenAsync(Guid runId, Action onCanceled)
    {
        await _subscription.Value;
        lock (_listeners)
        {
            if (!_listeners.TryGetValue(runId, out var listeners))
                _listeners[runId] = listeners = [];
            listeners.Add(onCanceled);
        }
        return new Registration(() =>
        {
            lock (_listeners)
                if (_listeners.TryGetValue(runId, out var listeners) && listeners.Remove(onCanceled) && listeners.Count == 0)
                    _listeners.Remove(runId);
        });
    }

    void Notify(Guid runId)
    {
        Action[] listeners;
        lock (_listeners)
            listeners = _listeners.TryGetValue(runId, out var registered) ? [.. registered] : [];
        foreach (var listener in listeners)
            listener();
    }

    sealed class Registration(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
