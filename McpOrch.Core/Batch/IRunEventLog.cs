namespace McpOrch.Core.Batch;

/// <summary>
/// Every run's state changes in order, readable from any point: a Redis stream per run when the services run
/// distributed, memory in single-process mode.
/// </summary>
public interface IRunEventLog
{
    /// <summary>
    /// Appends <paramref name="runEvent"/> to its run's log. The database stays the source of truth: when the log
    /// cannot be written the event is lost and a warning logged, and the run goes on.
    /// </summary>
    Task AppendAsync(RunEvent runEvent, CancellationToken cancellationToken);

    /// <summary>
    /// The run's events after <paramref name="afterId"/> (all when null), each with its id to resume from; with
    /// <paramref name="follow"/>, then each new one as it is appended, until the run's last event.
    /// </summary>
    IAsyncEnumerable<(string Id, RunEvent Event)> ReadAsync(Guid runId, string? afterId, bool follow, CancellationToken cancellationToken);
}
