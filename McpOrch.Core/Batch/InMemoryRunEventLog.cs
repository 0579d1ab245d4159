using System.Globalization;
using System.Runtime.CompilerServices;

namespace McpOrch.Core.Batch;

/// <summary>The event log of single-process mode. Keeps the logs of the last <see cref="KeptFinishedRuns"/> finished runs.</summary>
public sealed class InMemoryRunEventLog : IRunEventLog
{
    internal const int KeptFinishedRuns = 1000;

    readonly Dictionary<Guid, List<RunEvent>> _logs = [];
    readonly Queue<Guid> _finished = new();
    readonly RunWaiters _waiters = new();

    public Task AppendAsync(RunEvent runEvent, CancellationToken cancellationToken)
    {
        lock (_logs)
        {
            if (!_logs.TryGetValue(runEvent.RunId, out var log))
                _logs[runEvent.RunId] = log = [];
            log.Add(runEvent);
            if (runEvent.IsLast)
            {
                _finished.Enqueue(runEvent.RunId);
                while (_finished.Count > KeptFinishedRuns)
                    _logs.Remove(_finished.Dequeue());
            }
        }
        _waiters.Wake(runEvent.RunId);
        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<(string Id, RunEvent Event)> ReadAsync(Guid runId, string? afterId, bool follow,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Ids are positions in the run's log, from 1.
        var next = afterId is not null && int.TryParse(afterId, NumberStyles.None, CultureInfo.InvariantCulture, out var after) ? after : 0;
        while (true)
        {
            // Only a follower waits; a waiter nobody wakes would stay behind.
            var appended = follow ? _waiters.Next(runId) : Task.CompletedTask;
            List<RunEvent> batch;
            lock (_logs)
                batch = _logs.TryGetValue(runId, out var log) ? log[Math.Min(next, log.Count)..] : [];
            foreach (var runEvent in batch)
            {
                next++;
                yield return (next.ToString(CultureInfo.InvariantCulture), runEvent);
                if (runEvent.IsLast)
                    yield break;
            }
            if (!follow)
                yield break;
            await appended.WaitAsync(cancellationToken);
        }
    }
}
