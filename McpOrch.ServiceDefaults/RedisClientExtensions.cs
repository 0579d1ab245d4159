using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>StackExchange.Redis, in the shape of Aspire's Redis client integration.</summary>
public static class RedisClientExtensions
{
    public const string DefaultConnectionName = "redis";

    /// <summary>
    /// Registers a singleton <see cref="IConnectionMultiplexer"/> for <c>ConnectionStrings:{connectionName}</c>,
    /// connected on first use, and a health check that pings the server. A second call for the same connection
    /// (several features of one service need Redis) changes nothing.
    /// </summary>
    /// <remarks>
    /// No telemetry is registered: StackExchange.Redis 3.4 emits no ActivitySource or Meter of its own,
    /// and the OpenTelemetry instrumentation package for it is not available from this project's feed.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The connection string is not set.</exception>
    public static IHostApplicationBuilder AddRedisClient(
        this IHostApplicationBuilder builder,
        string connectionName = DefaultConnectionName,
        Action<ConfigurationOptions>? configure = null)
    {
        var connectionString = ConnectionStringRequirement.Require(builder, connectionName, "a Redis connection string such as 127.0.0.1:6379");
        if (builder.Services.Any(s => s.ServiceType == typeof(IConnectionMultiplexer)))
            return builder;
        // Its connection log is ~40 lines at Information per connect, one of them the raw bytes of a handshake reply;
        // warnings and errors still show. Logging__LogLevel__StackExchange.Redis can still ask for it.
        if (builder.Configuration["Logging:LogLevel:StackExchange.Redis"] is null)
            builder.Logging.AddFilter("StackExchange.Redis", LogLevel.Warning);
        var options = ConfigurationOptions.Parse(connectionString);
        // Keep retrying in the background rather than failing when Redis is not up yet (or restarts).
        options.AbortOnConnectFail = false;
        configure?.Invoke(options);

        builder.Services.AddSingleton<IConnectionMultiplexer>(services =>
        {
            options.LoggerFactory ??= services.GetService<ILoggerFactory>();
            return ConnectionMultiplexer.Connect(options);
        });
        builder.Services.AddHealthChecks().AddRedis(
            services => services.GetRequiredService<IConnectionMultiplexer>(), connectionName, tags: ["ready"]);
        return builder;
    }
}
