using System.Diagnostics.Metrics;
using McpOrch.Core.Configuration;
using McpOrch.Core.Runs;
using McpOrch.Core.Security;
using McpOrch.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace McpOrch.IntegrationTests.Security;

/// <summary>The audit log's queue: it never blocks, keeps records while the database is away, and drops and counts past its bound.</summary>
public sealed class AuditLogTests(PostgresFixture postgres) : IDisposable
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;
    readonly ScratchDirectory _folder = ScratchDirectory.Create("audit");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Records_wait_while_the_database_is_away_and_past_the_bound_are_dropped_and_counted()
    {
        // The database's folder does not exist yet: every save fails until it does.
        var folder = _folder.Combine("later");
        var services = new ServiceCollection()
            .AddDbContext<SqliteOrchDbContext>(db => db.UseSqlite($"Data Source={Path.Combine(folder, "mcp-orch.db")}"))
            .AddScoped<OrchDbContext>(s => s.GetRequiredService<SqliteOrchDbContext>())
            .BuildServiceProvider();
        var options = Options.Create(new OrchOptions { Security = { AuditQueueSize = 5 } });
        var audit = new AuditLog(services.GetRequiredService<IServiceScopeFactory>(), options, NullLogger<AuditLog>.Instance);

        long counted = 0;
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == "mcp_orch.audit.dropped")
                listener.EnableMeasurementEvents(instrument);
        };
        meters.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref counted, value));
        meters.Start();

        await audit.StartAsync(Cancellation);
        var writes = Task.Run(() =>
        {
            for (var i = 0; i < 12; i++)
                audit.Write(new AuditRecord { At = DateTime.UtcNow, Caller = "c", Source = "rest", Server = "s", Tool = $"t{i}", Outcome = "ok" });
        }, Cancellation);
        await writes.WaitAsync(TimeSpan.FromSeconds(5), Cancellation); // Throws if a Write blocked.
        await Task.Delay(TimeSpan.FromSeconds(1), Cancellation);

        // The writer holds what it took; the queue holds 5 more; the rest were dropped and counted.
        var dropped = audit.Dropped;
        Assert.InRange(dropped, 1, 7);
        Assert.Equal(dropped, Interlocked.Read(ref counted));

        Directory.CreateDirectory(folder);
        await using (var scope = services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<OrchDbContext>().Database.MigrateAsync(Cancellation);
        long saved = 0;
        for (var attempt = 0; attempt < 100 && saved < 12 - dropped; attempt++)
        {
            await Task.Delay(200, Cancellation);
            await using var scope = services.CreateAsyncScope();
            saved = await scope.ServiceProvider.GetRequiredService<OrchDbContext>().Audit.LongCountAsync(Cancellation);
        }
        Assert.Equal(12 - dropped, saved);
        await audit.StopAsync(Cancellation);
    }

    [Fact]
    public async Task PostgreSQL_takes_every_source_and_outcome_the_gateway_writes()
    {
        var connection = await postgres.CreateDatabaseAsync("audit_columns", Cancellation);
        await using var db = new OrchDbContext(new DbContextOptionsBuilder<OrchDbContext>().UseNpgsql(connection).Options);
        await db.Database.MigrateAsync(Cancellation);

        // The longest of each: the passthrough's source and an HTTP status outcome.
        db.Audit.Add(new AuditRecord { At = DateTime.UtcNow, Caller = "c", Source = "passthrough", Server = "s", Tool = "t", Outcome = "invalid_arguments" });
        db.Audit.Add(new AuditRecord { At = DateTime.UtcNow, Caller = "c", Source = "batch", Server = "s", Tool = "t", Outcome = "http_502" });
        await db.SaveChangesAsync(Cancellation);

        Assert.Equal(["batch", "passthrough"], await db.Audit.Select(r => r.Source).OrderBy(s => s).ToListAsync(Cancellation));
    }
}
