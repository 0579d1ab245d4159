using System.Globalization;
using McpOrch.Core.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpOrch.Core.Runs;

/// <summary>
/// Brings the database to the newest migration before anything else uses it: hosted services registered after it start
/// once it is done (the message bus among them), and the audit log's writer waits for <see cref="Migrated"/>.
/// PostgreSQL may still be starting: while it is unreachable (or SQLite busy) it is tried for up to
/// <see cref="Patience"/>; a database that refuses the migration stops the start at once. Several instances may start
/// at once: EF Core's migration lock keeps them apart.
/// </summary>
public sealed partial class DatabaseMigrator(IServiceScopeFactory scopes, ILogger<DatabaseMigrator> logger) : IHostedService
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(1);
    readonly TaskCompletionSource _migrated = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the database is at the newest migration.</summary>
    public Task Migrated => _migrated.Task;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await MigrateAsync(cancellationToken);
        _migrated.TrySetResult();
    }

    async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<OrchDbContext>();
                if (db.Database.IsSqlite())
                    await PrepareSqliteAsync(db, cancellationToken);
                await CreateHistoryTableAsync(db, cancellationToken);
                // Migrating takes a lock even with nothing to do: only when something is to be done. A lock that stays
                // taken longer than a migration takes was abandoned: the next attempt releases it.
                if ((await db.Database.GetPendingMigrationsAsync(cancellationToken)).Any())
                {
                    using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    attempt.CancelAfter(AbandonedAfter);
                    await db.Database.MigrateAsync(attempt.Token);
                }
                return;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                LogRetry(logger, "another process holds the migration lock; it is released once it is older than a minute");
            }
            catch (Exception e) when (IsTransient(e) && DateTime.UtcNow < deadline)
            {
                LogRetry(logger, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A database that answers but cannot take the migration: waiting will not change that.
                LogFailed(logger, e.Message);
                throw;
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Makes the database and EF Core's <c>__EFMigrationsHistory</c> before reading it: on a fresh PostgreSQL database,
    /// Npgsql reads the table before it exists, and EF Core logs that expected failure as an error (dotnet/efcore#37328),
    /// a false alarm on every first start. Creating it is idempotent, and safe when several instances race.
    /// </summary>
    static async Task CreateHistoryTableAsync(OrchDbContext db, CancellationToken cancellationToken)
    {
        var creator = db.GetService<IRelationalDatabaseCreator>();
        if (!await creator.ExistsAsync(cancellationToken))
            await creator.CreateAsync(cancellationToken);
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// WAL mode (readers never wait for the writer, and a commit costs no fsync of the whole database), and the lock a
    /// killed process left: EF Core locks a SQLite database for a migration with a row in <c>__EFMigrationsLock</c>,
    /// which a process killed meanwhile leaves behind, and every later start would wait for it for ever. A migration
    /// takes seconds: a lock older than <see cref="AbandonedAfter"/> is abandoned. (PostgreSQL's lock ends with its
    /// connection.)
    /// </summary>
    static async Task PrepareSqliteAsync(OrchDbContext db, CancellationToken cancellationToken)
    {
        // Plain commands: the lock table is EF Core's, not the model's.
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL;";
            await command.ExecuteNonQueryAsync(cancellationToken);
            command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '__EFMigrationsLock'";
            if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) == 0)
                return;
            // EF Core writes the time as text, "2026-12-03 13:33:54.8905126+00:00": in UTC, text order is time order.
            command.CommandText = "DELETE FROM \"__EFMigrationsLock\" WHERE \"Timestamp\" < $cutoff";
            var cutoff = command.CreateParameter();
            (cutoff.ParameterName, cutoff.Value) = ("$cutoff",
                (DateTimeOffset.UtcNow - AbandonedAfter).ToString("yyyy-MM-dd HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture));
            command.Parameters.Add(cutoff);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>A server that is not up yet (or busy), rather than a database that refuses the migration.</summary>
    static bool IsTransient(Exception e) => e switch
    {
        Npgsql.NpgsqlException npgsql => npgsql.IsTransient || npgsql is not Npgsql.PostgresException,
        Microsoft.Data.Sqlite.SqliteException sqlite => sqlite.SqliteErrorCode is 5 or 6, // SQLITE_BUSY, SQLITE_LOCKED
        OperationCanceledException => false,
        _ => e.InnerException is { } inner && IsTransient(inner),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database cannot be migrated yet, trying again: {Reason}")]
    static partial void LogRetry(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The database cannot be migrated: {Reason}. Was it made by another version of MCP Orch? Point --data-dir (or ConnectionStrings__orchdb) at its own database.")]
    static partial void LogFailed(ILogger logger, string reason);
}
