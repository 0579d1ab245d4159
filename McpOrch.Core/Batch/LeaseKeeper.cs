using McpOrch.Core.Runs;
using Microsoft.Extensions.DependencyInjection;

namespace McpOrch.Core.Batch;

/// <summary>
/// Renews a claim (a step's, or a run's while the model works on it) every third of the lease until disposed, each
/// time on a database context of its own; when the claim is lost (the run was cancelled, or the work was given to
/// another worker), <see cref="Token"/> is cancelled.
/// </summary>
internal sealed class LeaseKeeper : IAsyncDisposable
{
    readonly CancellationTokenSource _lost;
    readonly CancellationTokenSource _stop = new();
    Task _loop = Task.CompletedTask;

    LeaseKeeper(CancellationToken cancellationToken) => _lost = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

    /// <summary>Cancelled when the claim is lost or the caller's token is cancelled.</summary>
    public CancellationToken Token => _lost.Token;

    /// <summary>Starts renewing with <paramref name="renew"/>, which returns false once the claim is not ours any more.</summary>
    public static LeaseKeeper Start(IServiceScopeFactory scopes, TimeSpan lease, Func<RunStore, CancellationToken, Task<bool>> renew,
        CancellationToken cancellationToken)
    {
        var keeper = new LeaseKeeper(cancellationToken);
        keeper._loop = keeper.RenewAsync(scopes, lease / 3, renew);
        return keeper;
    }

    async Task RenewAsync(IServiceScopeFactory scopes, TimeSpan interval, Func<RunStore, CancellationToken, Task<bool>> renew)
    {
        while (true)
        {
            try
            {
                await Task.Delay(interval, _stop.Token);
                await using var scope = scopes.CreateAsyncScope();
                if (!await renew(scope.ServiceProvider.GetRequiredService<RunStore>(), _stop.Token))
                {
                    await _lost.CancelAsync();
                    return;
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // The database is unreachable for a moment: keep working, and try again. If it stays away, the
                // lease lapses and the work goes to another worker, whose result then wins.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
        _lost.Dispose();
    }
}
