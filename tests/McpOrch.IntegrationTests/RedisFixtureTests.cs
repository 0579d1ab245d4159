using McpOrch.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace McpOrch.IntegrationTests;

public sealed class RedisFixtureTests(RedisFixture redis)
{
    [Fact(Timeout = 60_000)]
    public async Task A_message_published_on_a_channel_reaches_its_subscriber_through_TryAddRedisClient()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var builder = ServiceHostBuilder.WithConnectionString(RedisHostingExtensions.ConnectionName, redis.ConnectionString);
        Assert.True(builder.TryAddRedisClient());
        using var host = builder.Build();
        var subscriber = host.Services.GetRequiredService<IConnectionMultiplexer>().GetSubscriber();
        var channel = RedisChannel.Literal($"smoke-{Guid.NewGuid():N}");
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        await subscriber.SubscribeAsync(channel, (_, message) => received.TrySetResult(message.ToString()));
        var subscribers = await subscriber.PublishAsync(channel, "hello over redis");

        Assert.Equal(1, subscribers);
        Assert.Equal("hello over redis", await received.Task.WaitAsync(cancellationToken));
        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(cancellationToken);
        Assert.Equal(HealthStatus.Healthy, health.Status);
    }
}
