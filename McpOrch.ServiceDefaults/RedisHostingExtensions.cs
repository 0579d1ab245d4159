using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>Redis for every feature of a service that shares state through it, by Aspire's StackExchange.Redis client integration.</summary>
public static class RedisHostingExtensions
{
    public const string ConnectionName = "redis";

    /// <summary>
    /// Registers one <see cref="IConnectionMultiplexer"/> for <c>ConnectionStrings:redis</c> (Aspire's <c>AddRedisClient</c>,
    /// configurable under <c>Aspire:StackExchange:Redis</c>), with its health check, and its traces when telemetry is exported.
    /// Returns false and registers nothing when the connection string is not set: the feature then keeps its state in memory.
    /// Several features of one service call this; only the first registers.
    /// </summary>
    public static bool TryAddRedisClient(this IHostApplicationBuilder builder)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(ConnectionName)))
            return false;
        // Aspire's AddRedisClient adds a multiplexer and its tracing again on every call.
        if (builder.Services.Any(s => s.ServiceType == typeof(IConnectionMultiplexer) && !s.IsKeyedService))
            return true;
        // Its connection log is ~40 lines at Information per connect, one of them the raw bytes of a handshake reply;
        // warnings and errors still show. Logging__LogLevel__StackExchange.Redis can still ask for it.
        if (builder.Configuration["Logging:LogLevel:StackExchange.Redis"] is null)
            builder.Logging.AddFilter("StackExchange.Redis", LogLevel.Warning);
        var exported = builder.ExportsTelemetry();
        builder.AddRedisClient(ConnectionName,
            settings => settings.DisableTracing |= !exported,
            // Keep retrying in the background rather than failing when Redis is not up yet (or restarts). Aspire's default
            // too, but only where StackExchange.Redis picks no host-specific defaults (it does for cloud hosts).
            options => options.AbortOnConnectFail = false);
        return true;
    }
}
