using Microsoft.EntityFrameworkCore;

namespace McpOrch.IntegrationTests.Data;

/// <summary>A one-table model with a real migration, to prove migrations apply on the PostgreSQL fixture.</summary>
public sealed class SmokeDbContext(DbContextOptions<SmokeDbContext> options) : DbContext(options)
{
    public DbSet<SmokeNote> Notes => Set<SmokeNote>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<SmokeNote>(note =>
        {
            note.ToTable("smoke_notes");
            note.Property(n => n.Text).HasMaxLength(200);
            note.Property(n => n.CreatedAt).HasDefaultValueSql("now()");
        });
    }
}
