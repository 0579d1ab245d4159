using McpOrch.Core.Configuration;
using McpOrch.Core.Runs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

/// <summary>Where MCP Orch keeps what must last: batch runs, API keys, the audit log.</summary>
public static class DatabaseHostingExtensions
{
    /// <summary>The single-process database's file in the data folder.</summary>
    public const string DatabaseFile = "mcp-orch.db";

    /// <summary>The PostgreSQL connection string's name: <c>ConnectionStrings:orchdb</c>.</summary>
    public const string ConnectionName = "orchdb";

    /// <summary>
    /// Registers <see cref="OrchDbContext"/>: PostgreSQL when <c>ConnectionStrings:orchdb</c> is set (Aspire's Npgsql EF Core
    /// client integration: pooled contexts, a health check, and EF Core's retrying execution strategy, so every transaction
    /// runs inside <c>CreateExecutionStrategy()</c>), else SQLite in <c>server.data_dir</c>. With <paramref name="migrate"/>, the service brings the database to the newest migration
    /// before the hosted services registered after this start. Returns false, having written why to stderr, when the data folder cannot be made.
    /// </summary>
    public static bool TryAddOrchDatabase(this IHostApplicationBuilder builder, OrchSettings settings, bool migrate)
    {
        if (builder.Services.Any(s => s.ServiceType == typeof(OrchDbContext)))
            return true;
        // EF Core logs every statement at Information; configuration can still ask for it.
        if (builder.Configuration["Logging:LogLevel:Microsoft.EntityFrameworkCore"] is null)
            builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        if (!string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(ConnectionName)))
        {
            var exported = builder.ExportsTelemetry();
            builder.AddNpgsqlDbContext<OrchDbContext>(ConnectionName, settings =>
            {
                settings.DisableTracing |= !exported;
                settings.DisableMetrics |= !exported;
            });
        }
        else
        {
            var folder = DataDirectory(settings.Options.Server);
            try
            {
                Directory.CreateDirectory(folder);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"MCP Orch cannot start: server.data_dir: {folder} cannot be created ({e.Message}): " +
                    "give a writable folder with --data-dir or MCP_ORCH_DATA_DIR.");
                return false;
            }
            var pragmas = new SqlitePragmas();
            builder.Services.AddDbContext<SqliteOrchDbContext>(db => db.UseSqlite($"Data Source={Path.Combine(folder, DatabaseFile)}").AddInterceptors(pragmas));
            builder.Services.AddScoped<OrchDbContext>(s => s.GetRequiredService<SqliteOrchDbContext>());
        }
        // Hosted services registered after it start once the database is migrated; the audit log's writer waits for it.
        if (migrate)
        {
            builder.Services.AddSingleton<DatabaseMigrator>();
            builder.Services.AddHostedService(s => s.GetRequiredService<DatabaseMigrator>());
        }
        return true;
    }

    /// <summary>The single-process data folder: <c>server.data_dir</c> (<c>~/</c> is the home folder), or the user's data folder.</summary>
    public static string DataDirectory(ServerOptions server)
    {
        if (server.DataDir is { Length: > 0 } configured)
            return Path.GetFullPath(configured.StartsWith("~/", StringComparison.Ordinal)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), configured[2..])
                : configured);
        var userData = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        return userData.Length > 0 ? Path.Combine(userData, "mcp-orch") : Path.GetFullPath(".mcp-orch");
    }
}
