using Microsoft.EntityFrameworkCore;

namespace McpOrch.Core.Runs;

/// <summary>The same model on SQLite, with migrations of its own (EF migrations are per provider).</summary>
public sealed class SqliteOrchDbContext(DbContextOptions<SqliteOrchDbContext> options) : OrchDbContext(options);
