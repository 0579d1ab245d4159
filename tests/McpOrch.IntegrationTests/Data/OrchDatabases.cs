using McpOrch.Core.Runs;
using McpOrch.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace McpOrch.IntegrationTests.Data;

/// <summary>A fresh, migrated MCP Orch database on either provider, for tests that run against both.</summary>
public static class OrchDatabases
{
    /// <summary>
    /// A new database of <paramref name="provider"/> (<c>postgres</c>, with the retrying execution strategy the services get
    /// from Aspire's client integration; or <c>sqlite</c>, a file in <paramref name="folder"/>), migrated; each call of the
    /// result gives a new context, as separate processes would have.
    /// </summary>
    public static async Task<Func<OrchDbContext>> CreateAsync(string provider, PostgresFixture postgres, ScratchDirectory folder,
        CancellationToken cancellationToken, params IInterceptor[] interceptors)
    {
        Func<OrchDbContext> create;
        if (provider == "postgres")
        {
            var connection = await postgres.CreateDatabaseAsync($"orch_{Guid.NewGuid():N}", cancellationToken);
            create = () => new OrchDbContext(new DbContextOptionsBuilder<OrchDbContext>()
                .UseNpgsql(connection, npgsql => npgsql.EnableRetryOnFailure()).AddInterceptors(interceptors).Options);
        }
        else
        {
            var connection = $"Data Source={folder.Combine($"{Guid.NewGuid():N}.db")}";
            create = () => new SqliteOrchDbContext(new DbContextOptionsBuilder<SqliteOrchDbContext>().UseSqlite(connection).AddInterceptors(interceptors).Options);
        }
        await using var db = create();
        await db.Database.MigrateAsync(cancellationToken);
        Assert.False(db.Database.HasPendingModelChanges(), "the model has changes that no migration holds");
        return create;
    }
}
