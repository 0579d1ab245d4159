using System.Diagnostics.Metrics;
using McpOrch.Core.Configuration;
using McpOrch.Core.Runs;
using McpOrch.Core.Security;
using McpOrch.IntegrationTests.Data;
using McpOrch.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
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
    public async Task PostgreSQL_takes_every_source_and_outcome_and_texts_longer_than_their_columns_are_cut_to_fit()
    {
        var connection = await postgres.CreateDatabaseAsync("audit_columns", Cancellation);
        // Retrying, as the services' context is: the writer's transactions run inside the execution strategy.
        var services = new ServiceCollection().AddDbContext<OrchDbContext>(db => db.UseNpgsql(connection, npgsql => npgsql.EnableRetryOnFailure()))
            .BuildServiceProvider();
        await using (var scope = services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<OrchDbContext>().Database.MigrateAsync(Cancellation);
        var audit = new AuditLog(services.GetRequiredService<IServiceScopeFactory>(), Options.Create(new OrchOptions()), NullLogger<AuditLog>.Instance);
        await audit.StartAsync(Cancellation);

        // The passthrough's source, an HTTP status outcome, and what a client may make up: a JWT's name, a tool's name.
        audit.Write(new AuditRecord { At = DateTime.UtcNow, Caller = "c", Source = "passthrough", Server = "s", Tool = "t", Outcome = "invalid_arguments" });
        audit.Write(new AuditRecord { At = DateTime.UtcNow, Caller = new string('c', 500), Source = "batch", Server = "s", Tool = new string('t', 1000), Outcome = "http_502" });

        List<AuditRecord> saved = [];
        for (var attempt = 0; attempt < 50 && saved.Count < 2; attempt++)
        {
            await Task.Delay(200, Cancellation);
            await using var scope = services.CreateAsyncScope();
            saved = await scope.ServiceProvider.GetRequiredService<OrchDbContext>().Audit.OrderBy(r => r.Source).ToListAsync(Cancellation);
        }
        await audit.StopAsync(Cancellation);
        Assert.Equal(["batch", "passthrough"], saved.Select(r => r.Source));
        Assert.Equal((AuditRecord.CallerLength, AuditRecord.ToolLength), (saved[0].Caller.Length, saved[0].Tool.Length));
    }

    [Fact]
    public async Task A_batch_whose_commit_fails_is_written_again_at_once_and_saved_once()
    {
        var connection = await postgres.CreateDatabaseAsync($"audit_{Guid.NewGuid():N}", Cancellation);
        var commits = new FailingCommits();
        var services = new ServiceCollection()
            .AddDbContext<OrchDbContext>(db => db.UseNpgsql(connection, npgsql => npgsql.EnableRetryOnFailure()).AddInterceptors(commits))
            .BuildServiceProvider();
        await using (var scope = services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<OrchDbContext>().Database.MigrateAsync(Cancellation);
        var logs = new RecordedLogs();
        var audit = new AuditLog(services.GetRequiredService<IServiceScopeFactory>(), Options.Create(new OrchOptions()), logs.For<AuditLog>());
        commits.FailNext();
        await audit.StartAsync(Cancellation);

        audit.Write(new AuditRecord { At = DateTime.UtcNow, Caller = "c", Source = "rest", Server = "s", Tool = "one", Outcome = "ok" });
        audit.Write(new AuditRecord { At = DateTime.UtcNow, Caller = "c", Source = "rest", Server = "s", Tool = "two", Outcome = "ok" });

        List<string> saved = [];
        for (var attempt = 0; attempt < 50 && saved.Count < 2; attempt++)
        {
            await Task.Delay(200, Cancellation);
            await using var scope = services.CreateAsyncScope();
            saved = await scope.ServiceProvider.GetRequiredService<OrchDbContext>().Audit.Select(r => r.Tool).Order().ToListAsync(Cancellation);
        }
        await audit.StopAsync(Cancellation);
        Assert.Equal(0, commits.Pending);
        Assert.Equal(["one", "two"], saved);
        // The execution strategy wrote the batch again; the writer's own slower loop never had to.
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Warning);
    }
}
