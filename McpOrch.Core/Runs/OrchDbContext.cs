using Microsoft.EntityFrameworkCore;

namespace McpOrch.Core.Runs;

/// <summary>
/// Runs and their steps. PostgreSQL in the distributed form (this context's migrations), SQLite in the
/// single-process form (<see cref="SqliteOrchDbContext"/>'s).
/// </summary>
public class OrchDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<RunRecord> Runs => Set<RunRecord>();

    public DbSet<StepRecord> Steps => Set<StepRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<RunRecord>(run =>
        {
            run.ToTable("runs");
            run.HasKey(r => r.Id);
            run.Property(r => r.State).HasConversion<string>().HasMaxLength(16);
            run.HasIndex(r => r.CreatedAt);
            run.HasIndex(r => new { r.State, r.UpdatedAt });
            run.HasMany(r => r.Steps).WithOne().HasForeignKey(s => s.RunId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<StepRecord>(step =>
        {
            step.ToTable("steps");
            step.HasKey(s => new { s.RunId, s.StepId });
            step.Property(s => s.StepId).HasMaxLength(128);
            step.Property(s => s.Tool).HasMaxLength(256);
            step.Property(s => s.State).HasConversion<string>().HasMaxLength(16);
            step.Property(s => s.Owner).HasMaxLength(128);
            step.HasIndex(s => new { s.State, s.LeaseUntil });
        });
    }
}
