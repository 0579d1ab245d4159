using McpOrch.Core.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpOrch.Core.Runs;

/// <summary>
/// Brings the database to the newest migration before anything else uses it (it is registered before the
/// message bus). PostgreSQL may still be starting: while it is unreachable (or SQLite busy) it is tried for up to
/// <see cref="Patience"/>; a database that refuses the migration stops the start at once. Several instances
/// may start at once: EF Core's migration lock keeps them apart.
/// </summary>
public sealed partial class DatabaseMigrator(IServiceScopeFactory scopes, ILogger<DatabaseMigrator> logger) : IHostedService
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<OrchDbContext>();
                await db.Database.MigrateAsync(cancellationToken);
                if (db.Database.IsSqlite())
                    // Readers never wait for the writer, and a commit costs no fsync of the whole database.
                    await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
                return;
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
