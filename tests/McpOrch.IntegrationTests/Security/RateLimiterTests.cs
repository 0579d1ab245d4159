using McpOrch.Core.Security;
using McpOrch.Testing;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace McpOrch.IntegrationTests.Security;

/// <summary>The token bucket, in memory (single process) and in Redis (shared by every replica).</summary>
public sealed class RateLimiterTests(RedisFixture redis)
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task In_memory_a_caller_bursts_to_its_limit_then_earns_calls_back_evenly()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var limiter = new InMemoryRateLimiter(clock);
        for (var i = 0; i < 6; i++)
            Assert.True((await limiter.TryAcquireAsync("a", 6, Cancellation)).Allowed);
        var refused = await limiter.TryAcquireAsync("a", 6, Cancellation);
        Assert.False(refused.Allowed);
        Assert.Equal(TimeSpan.FromSeconds(10), refused.RetryAfter); // 6 a minute: one every 10 s.
        Assert.True((await limiter.TryAcquireAsync("b", 6, Cancellation)).Allowed); // Callers do not share.

        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(TimeSpan.FromSeconds(1), (await limiter.TryAcquireAsync("a", 6, Cancellation)).RetryAfter);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await limiter.TryAcquireAsync("a", 6, Cancellation)).Allowed);
        Assert.False((await limiter.TryAcquireAsync("a", 6, Cancellation)).Allowed);
    }

    [Fact]
    public async Task In_Redis_replicas_share_one_budget_per_caller()
    {
        await using var first = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        await using var second = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var replicas = new IRateLimiter[] { new RedisRateLimiter(first), new RedisRateLimiter(second) };
        var caller = $"caller-{Guid.NewGuid():N}";

        var decisions = new List<RateDecision>();
        for (var i = 0; i < 10; i++)
            decisions.Add(await replicas[i % 2].TryAcquireAsync(caller, 8, Cancellation));
        Assert.Equal(8, decisions.Count(d => d.Allowed));
        var refused = decisions.Last();
        Assert.False(refused.Allowed);
        Assert.InRange(refused.RetryAfter.TotalSeconds, 6, 7.5); // 8 a minute: one every 7.5 s.

        Assert.True((await replicas[0].TryAcquireAsync($"other-{caller}", 8, Cancellation)).Allowed);
        Assert.InRange(await first.GetDatabase().KeyTimeToLiveAsync($"mcp-orch:rate:{caller}") is { } ttl ? ttl.TotalSeconds : -1, 1, 61);
    }
}
