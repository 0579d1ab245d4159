using System.Collections.Concurrent;
using StackExchange.Redis;

namespace McpOrch.Core.Security;

/// <summary>Whether a call may go now, and if not, when to try again.</summary>
public readonly record struct RateDecision(bool Allowed, TimeSpan RetryAfter);

/// <summary>
/// Tool calls per minute per caller, as a token bucket: a caller may burst up to its limit, and earns the calls back
/// evenly over the minute. <see cref="InMemoryRateLimiter"/> in one process, <see cref="RedisRateLimiter"/> across
/// the services of the distributed form, so that replicas share one budget.
/// </summary>
public interface IRateLimiter
{
    ValueTask<RateDecision> TryAcquireAsync(string callerId, int perMinute, CancellationToken cancellationToken);
}

public sealed class InMemoryRateLimiter(TimeProvider time) : IRateLimiter
{
    readonly ConcurrentDictionary<string, Bucket> _buckets = new();

    public ValueTask<RateDecision> TryAcquireAsync(string callerId, int perMinute, CancellationToken cancellationToken)
    {
        var bucket = _buckets.GetOrAdd(callerId, _ => new Bucket(perMinute, time.GetUtcNow()));
        lock (bucket)
            return ValueTask.FromResult(bucket.Take(perMinute, time.GetUtcNow()));
    }

    sealed class Bucket(double tokens, DateTimeOffset at)
    {
        public RateDecision Take(int perMinute, DateTimeOffset now)
        {
            var perMs = perMinute / 60_000.0;
            tokens = Math.Min(perMinute, tokens + Math.Max(0, (now - at).TotalMilliseconds) * perMs);
            at = now;
            if (tokens >= 1)
            {
                tokens--;
                return new RateDecision(true, TimeSpan.Zero);
            }
            return new RateDecision(false, TimeSpan.FromMilliseconds(Math.Ceiling((1 - tokens) / perMs)));
        }
    }
}

/// <summary>The same bucket in a Redis hash per caller, updated by one script on Redis's clock.</summary>
public sealed class RedisRateLimiter(IConnectionMultiplexer redis) : IRateLimiter
{
    const string Script = """
        local capacity = tonumber(ARGV[1])
        local clock = redis.call('TIME')
        local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
        local perMs = capacity / 60000
        local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
        local tokens = tonumber(state[1]) or capacity
        local at = tonumber(state[2]) or now
        tokens = math.min(capacity, tokens + math.max(0, now - at) * perMs)
        local wait = 0
        if tokens >= 1 then tokens = tokens - 1 else wait = math.ceil((1 - tokens) / perMs) end
        redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
        redis.call('PEXPIRE', KEYS[1], 61000)
        return wait
        """;

    public async ValueTask<RateDecision> TryAcquireAsync(string callerId, int perMinute, CancellationToken cancellationToken)
    {
        var wait = (long)await redis.GetDatabase().ScriptEvaluateAsync(Script, [$"mcp-orch:rate:{callerId}"], [perMinute]);
        return new RateDecision(wait == 0, TimeSpan.FromMilliseconds(wait));
    }
}
