namespace McpOrch.LocalServers;

/// <summary>Waits until a starting server answers its own protocol, or says why it never will.</summary>
public static class Readiness
{
    static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Calls <paramref name="probe"/> until it returns true. A probe that throws or returns false means
    /// "not yet". Fails with the tail of the server's output when the process exits first or when
    /// <paramref name="timeout"/> passes.
    /// </summary>
    /// <param name="probeTimeout">How long one probe may take (5 s by default); <see cref="Timeout.InfiniteTimeSpan"/>
    /// lets each probe finish, bounded by <paramref name="timeout"/> alone.</param>
    public static async Task WaitAsync(
        ServerProcess process,
        Func<CancellationToken, Task<bool>> probe,
        TimeSpan timeout,
        CancellationToken cancellationToken,
        TimeSpan? probeTimeout = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        Exception? lastError = null;
        try
        {
            while (true)
            {
                if (process.HasExited)
                    throw new BackingServerException(
                        $"{process.Name} exited while starting (pid {process.Id}). Its last output:\n{process.OutputTail}");

                using (var attempt = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token))
                {
                    attempt.CancelAfter(probeTimeout ?? ProbeTimeout);
                    try
                    {
                        if (await probe(attempt.Token))
                            return;
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !deadline.IsCancellationRequested)
                    {
                        lastError = e;
                    }
                }

                await Task.Delay(PollInterval, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var probeError = lastError is null ? "" : $" The last check failed with: {lastError.Message}.";
            throw new BackingServerException(
                $"{process.Name} did not become ready within {timeout.TotalSeconds:0} s.{probeError} Its last output:\n{process.OutputTail}");
        }
    }
}
