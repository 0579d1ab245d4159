using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace McpOrch.IntegrationTests.Data;

/// <summary>
/// Fails the next commit as a connection that breaks at that moment would: with an error Npgsql counts as transient, so
/// a retrying execution strategy runs the transaction again. The transaction itself is rolled back.
/// </summary>
public sealed class FailingCommits : DbTransactionInterceptor
{
    int _pending;

    /// <summary>1 while the failure is armed and no commit has met it yet.</summary>
    public int Pending => Volatile.Read(ref _pending);

    public void FailNext() => Volatile.Write(ref _pending, 1);

    public override ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData,
        InterceptionResult result, CancellationToken cancellationToken = default) =>
        Interlocked.Exchange(ref _pending, 0) == 1
            ? throw new NpgsqlException("injected: the connection broke at commit", new IOException("injected"))
            : ValueTask.FromResult(result);
}
