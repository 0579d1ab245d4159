using McpOrch.IntegrationTests.Data;
using McpOrch.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace McpOrch.IntegrationTests;

public sealed class PostgresFixtureTests(PostgresFixture postgres)
{
    [Fact(Timeout = 120_000)]
    public async Task A_migration_applies_through_Aspire_s_AddNpgsqlDbContext_and_a_written_row_reads_back()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var connectionString = await postgres.CreateDatabaseAsync($"smoke_{Guid.NewGuid():N}", cancellationToken);
        var builder = ServiceHostBuilder.WithConnectionString("smokedb", connectionString);
        builder.AddNpgsqlDbContext<SmokeDbContext>("smokedb");
        using var host = builder.Build();

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SmokeDbContext>();
            await db.Database.MigrateAsync(cancellationToken);

            Assert.Empty(await db.Database.GetPendingMigrationsAsync(cancellationToken));
            Assert.False(db.Database.HasPendingModelChanges(), "the model differs from the last migration's snapshot");
            db.Notes.Add(new SmokeNote { Text = "written by the smoke test" });
            await db.SaveChangesAsync(cancellationToken);
        }

        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<SmokeDbContext>();
            var note = await db.Notes.SingleAsync(cancellationToken);
            Assert.Equal("written by the smoke test", note.Text);
            Assert.NotEqual(default, note.CreatedAt);
        }

        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(cancellationToken);
        Assert.Equal(HealthStatus.Healthy, health.Status);
        Assert.Equal(["SmokeDbContext"], health.Entries.Keys);
    }
}
