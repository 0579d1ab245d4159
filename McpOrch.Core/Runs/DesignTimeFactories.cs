using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace McpOrch.Core.Runs;

/// <summary>For <c>dotnet ef migrations add</c> only: no database is opened.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<OrchDbContext>
{
    public OrchDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<OrchDbContext>().UseNpgsql("Host=localhost;Database=orchdb").Options);
}

/// <summary>For <c>dotnet ef migrations add --context SqliteOrchDbContext</c> only.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteOrchDbContext>
{
    public SqliteOrchDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteOrchDbContext>().UseSqlite("Data Source=design.db").Options);
}
