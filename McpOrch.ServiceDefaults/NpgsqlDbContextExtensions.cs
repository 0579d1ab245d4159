using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>EF Core on PostgreSQL, in the shape of Aspire's Npgsql EF Core client integration.</summary>
public static class NpgsqlDbContextExtensions
{
    public const string DefaultConnectionName = "orchdb";

    /// <summary>
    /// Registers <typeparamref name="TContext"/> on PostgreSQL from <c>ConnectionStrings:{connectionName}</c>,
    /// with a health check that connects through the context, and Npgsql's traces and metrics.
    /// </summary>
    /// <exception cref="InvalidOperationException">The connection string is not set.</exception>
    public static IHostApplicationBuilder AddNpgsqlDbContext<TContext>(
        this IHostApplicationBuilder builder,
        string connectionName = DefaultConnectionName,
        Action<NpgsqlDbContextOptionsBuilder>? configureNpgsql = null,
        Action<DbContextOptionsBuilder>? configureDbContext = null)
        where TContext : DbContext
    {
        var connectionString = ConnectionStringRequirement.Require(builder, connectionName, "a PostgreSQL connection string");

        builder.Services.AddDbContext<TContext>(options =>
        {
            options.UseNpgsql(connectionString, configureNpgsql);
            configureDbContext?.Invoke(options);
        });

        // Named after the context: two contexts may share one database, and check names must be unique.
        builder.Services.AddHealthChecks().AddDbContextCheck<TContext>(typeof(TContext).Name, tags: ["ready"]);

        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddNpgsql())
            .WithMetrics(metrics => metrics.AddNpgsqlInstrumentation());
        return builder;
    }
}
