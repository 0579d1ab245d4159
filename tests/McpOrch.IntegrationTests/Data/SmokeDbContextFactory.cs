using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace McpOrch.IntegrationTests.Data;

/// <summary>
/// For <c>dotnet ef migrations add</c>, which needs the provider but no server:
/// <c>dotnet ef migrations add NAME --project tests/McpOrch.IntegrationTests --output-dir Data/Migrations</c>.
/// </summary>
public sealed class SmokeDbContextFactory : IDesignTimeDbContextFactory<SmokeDbContext>
{
    public SmokeDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SmokeDbContext>().UseNpgsql("Host=127.0.0.1;Database=design_time").Options);
}
