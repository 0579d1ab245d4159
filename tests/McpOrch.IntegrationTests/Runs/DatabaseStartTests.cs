using McpOrch.Testing;
using Microsoft.Data.Sqlite;

namespace McpOrch.IntegrationTests.Runs;

public sealed class DatabaseStartTests
{
    [Fact]
    public async Task A_migration_lock_left_by_a_killed_process_does_not_stop_the_next_start()
    {
        using var folder = ScratchDirectory.Create("db-lock");
        await using (var first = ServiceProcess.Start("Proxy.Api", folder.Path, "--mode", "proxy"))
        {
            (await first.WaitHealthyAsync()).Dispose();
            Assert.Equal(0, await first.StopAsync());
        }
        // What EF Core leaves in the SQLite database when the process migrating it is killed: its lock. And a migration
        // to do (one that changes nothing in SQLite), so that the next start needs the lock.
        await using (var connection = new SqliteConnection($"Data Source={folder.Combine(".mcp-orch-data/mcp-orch.db")};Pooling=false"))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE IF NOT EXISTS "__EFMigrationsLock" ("Id" INTEGER NOT NULL PRIMARY KEY, "Timestamp" TEXT NOT NULL);
                INSERT INTO "__EFMigrationsLock" VALUES (1, '2026-01-01 10:00:00.0000000+00:00');
                DELETE FROM "__EFMigrationsHistory" WHERE "MigrationId" LIKE '%_AuditSourceLength';
                """;
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await using var next = ServiceProcess.Start("Proxy.Api", folder.Path, "--mode", "proxy");

        (await next.WaitHealthyAsync()).Dispose();
    }
}
