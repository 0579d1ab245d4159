using McpOrch.Core.Security;
using Microsoft.EntityFrameworkCore;

namespace McpOrch.Core.Runs;

/// <summary>
/// Runs and their steps, API keys and the audit log. PostgreSQL in the distributed form (this context's migrations), SQLite in the
/// single-process form (<see cref="SqliteOrchDbContext"/>'s).
/// </summary>
public class OrchDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<RunRecord> Runs => Set<RunRecord>();

    public DbSet<StepRecord> Steps => Set<StepRecord>();

    public DbSet<ApiKeyRecord> ApiKeys => Set<ApiKeyRecord>();

    public DbSet<AuditRecord> Audit => Set<AuditRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<RunRecord>(run =>
        {
            run.ToTable("runs");
            run.HasKey(r => r.Id);
            run.Property(r => r.State).HasConversion<string>().HasMaxLength(16);
            run.Property(r => r.Owner).HasMaxLength(160);
            run.Property(r => r.TraceParent).HasMaxLength(64);
            // GET /batch pages through runs newest first, for everyone (write), one owner, or some states: each index
            // gives the page's keys in order (Id breaks ties), so the page is read without sorting every run.
            run.HasIndex(r => new { r.CreatedAt, r.Id });
            run.HasIndex(r => new { r.Owner, r.CreatedAt, r.Id });
            run.HasIndex(r => new { r.State, r.CreatedAt, r.Id });
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
        modelBuilder.Entity<ApiKeyRecord>(key =>
        {
            key.ToTable("api_keys");
            key.HasKey(k => k.Id);
            key.Property(k => k.Id).HasMaxLength(32);
            key.Property(k => k.Name).HasMaxLength(128);
            key.Property(k => k.Hash).HasMaxLength(64);
            key.Property(k => k.Prefix).HasMaxLength(16);
            key.HasIndex(k => k.Hash).IsUnique();
        });
        modelBuilder.Entity<AuditRecord>(audit =>
        {
            audit.ToTable("audit");
            audit.HasKey(a => a.Id);
            audit.Property(a => a.Caller).HasMaxLength(AuditRecord.CallerLength);
            audit.Property(a => a.Source).HasMaxLength(AuditRecord.SourceLength);
            audit.Property(a => a.Server).HasMaxLength(AuditRecord.ServerLength);
            audit.Property(a => a.Tool).HasMaxLength(AuditRecord.ToolLength);
            audit.Property(a => a.Outcome).HasMaxLength(AuditRecord.OutcomeLength);
            audit.Property(a => a.RunId).HasMaxLength(AuditRecord.RunIdLength);
            audit.Property(a => a.IdempotencyKey).HasMaxLength(AuditRecord.IdempotencyKeyLength);
            audit.HasIndex(a => a.At);
            audit.HasIndex(a => new { a.Caller, a.At });
        });
    }
}
