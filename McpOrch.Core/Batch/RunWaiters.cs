using System.Collections.Concurrent;

namespace McpOrch.Core.Batch;

/// <summary>Lets readers of a run's events wait until something is appended, without polling fast.</summary>
internal sealed class RunWaiters
{
    readonly ConcurrentDictionary<Guid, TaskCompletionSource> _waiters = new();

    /// <summary>
    /// A task that completes at the next <see cref="Wake"/> for the run. Take it <em>before</em> reading, so that an
    /// append between the read and the wait is not missed.
    /// </summary>
    public Task Next(Guid runId) =>
        _waiters.GetOrAdd(runId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Wake(Guid runId)
    {
        if (_waiters.TryRemove(runId, out var waiter))
            waiter.TrySetResult();
    }
}
