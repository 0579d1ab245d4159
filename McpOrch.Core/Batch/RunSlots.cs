namespace McpOrch.Core.Batch;

/// <summary>
/// One semaphore per run in this executor, shared by all its steps here: at most <c>execution.max_parallel_tasks</c>
/// tool calls of one run at a time per executor replica.
/// </summary>
public sealed class RunSlots(int perRun)
{
    readonly Dictionary<Guid, (SemaphoreSlim Slots, int Users)> _runs = [];

    /// <summary>The run's semaphore, for as long as the returned handle is not disposed.</summary>
    public Handle Acquire(Guid runId)
    {
        lock (_runs)
        {
            var (slots, users) = _runs.TryGetValue(runId, out var entry) ? entry : (new SemaphoreSlim(perRun), 0);
            _runs[runId] = (slots, users + 1);
            return new Handle(this, runId, slots);
        }
    }

    void Release(Guid runId)
    {
        lock (_runs)
        {
            var (slots, users) = _runs[runId];
            if (users > 1)
                _runs[runId] = (slots, users - 1);
            else
            {
                _runs.Remove(runId);
                slots.Dispose();
            }
        }
    }

    public sealed class Handle(RunSlots owner, Guid runId, SemaphoreSlim slots) : IDisposable
    {
        public SemaphoreSlim Slots => slots;

        public void Dispose() => owner.Release(runId);
    }
}
