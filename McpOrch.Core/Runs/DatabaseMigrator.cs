using McpOrch.Core.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpOrch.Core.Runs;

/// <summary>
/// Brings the database to the newest migration before anything else uses it (it is registered before the
/// message bus). PostgreSQL may still be starting: it is tried for up to <see cref="Patience"/>. Several instances
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
            catch (Exception e) when (e is not OperationCanceledException && DateTime.UtcNow < deadline)
            {
                LogRetry(logger, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database cannot be migrated yet, trying again: {Reason}")]
    static partial void LogRetry(ILogger logger, string reason);
}
