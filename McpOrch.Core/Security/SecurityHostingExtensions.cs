using McpOrch.Core.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

public static class SecurityHostingExtensions
{
    /// <summary>
    /// <see cref="ToolGate"/> and what it needs: the audit log (needs <c>TryAddOrchDatabase</c>) and the rate limiter,
    /// shared through Redis when <c>ConnectionStrings:redis</c> is set, in memory otherwise; and the
    /// <see cref="CallStatistics"/> read from the audit log.
    /// </summary>
    public static IHostApplicationBuilder AddToolGate(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        if (services.Any(s => s.ServiceType == typeof(ToolGate)))
            return builder;
        services.TryAddSingleton(TimeProvider.System);
        if (builder.TryAddRedisClient())
            services.AddSingleton<IRateLimiter>(s => new RedisRateLimiter(s.GetRequiredService<IConnectionMultiplexer>()));
        else
            services.AddSingleton<IRateLimiter, InMemoryRateLimiter>();
        services.AddSingleton<AuditLog>();
        services.AddHostedService(s => s.GetRequiredService<AuditLog>());
        services.AddSingleton<ToolGate>();
        services.AddScoped<CallStatistics>();
        return builder;
    }
}
