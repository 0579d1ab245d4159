using System.Net.Http.Json;
using System.Text.Json.Nodes;
using McpOrch.Core.Catalog;
using McpOrch.Testing;
using StackExchange.Redis;

namespace Proxy.Api.Tests;

public sealed class CatalogPublishingTests(ProxyFixture fixture, RedisFixture redis)
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    static async Task<CatalogSnapshot> SnapshotAsync(ICatalogStore store, Func<CatalogSnapshot, bool> until)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            if (await store.ReadAsync(timeout.Token) is { } snapshot && until(snapshot))
                return snapshot;
            await Task.Delay(100, timeout.Token);
        }
    }

    [Fact]
    public async Task With_Redis_configured_the_catalog_is_published_there_and_every_change_is_announced()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var store = new RedisCatalogStore(connection, TimeProvider.System);
        var announced = new List<long>();
        await connection.GetSubscriber().SubscribeAsync(RedisCatalogStore.ChangedChannel, (_, version) =>
        {
            lock (announced) announced.Add((long)version);
        });
        using var data = ScratchDirectory.Create("catalog");

        await using var proxy = await ProxyUnderTest.StartAsync(
            new JsonObject { ["everything"] = ProxyUnderTest.Stdio(fixture.Servers.Everything()) },
            // Redis alone is not the distributed batch form (that needs PostgreSQL and RabbitMQ too): serve the proxy only.
            environment: new Dictionary<string, string> { ["ConnectionStrings__redis"] = redis.ConnectionString, ["McpOrch__Server__Mode"] = "proxy" });
        var first = await SnapshotAsync(store, s => s.Tools.Any(t => t.Name == "everything.echo"));

        var echo = first.Tools.Single(t => t.Name == "everything.echo");
        Assert.Equal(("everything", "echo", "everything.echo"), (echo.Server, echo.UpstreamName, echo.Tool.Name));
        Assert.Equal("message", echo.Tool.InputSchema.GetProperty("required")[0].GetString());

        await proxy.WriteServersAsync(new JsonObject
        {
            ["everything"] = ProxyUnderTest.Stdio(fixture.Servers.Everything()),
            ["memory"] = ProxyUnderTest.Stdio(fixture.Servers.Memory(data.Combine("memory.jsonl"))),
        });
        (await proxy.Http.PostAsync("/servers/reload", null, Cancellation)).EnsureSuccessStatusCode();
        var second = await SnapshotAsync(store, s => s.Tools.Any(t => t.Name == "memory.read_graph"));

        Assert.True(second.Version > first.Version);
        // The snapshot is stored before its version is announced: the announcement may still be on its way.
        for (var deadline = DateTime.UtcNow.AddSeconds(10); ; await Task.Delay(20, Cancellation))
        {
            lock (announced)
                if (announced.Contains(second.Version) || DateTime.UtcNow > deadline)
                {
                    Assert.Contains(second.Version, announced);
                    break;
                }
        }
    }

    [Fact]
    public async Task Versions_keep_growing_across_restarts_of_the_publisher()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);

        var before = await new RedisCatalogStore(connection, TimeProvider.System).PublishAsync(ToolCatalog.Empty, Cancellation);
        var after = await new RedisCatalogStore(connection, TimeProvider.System).PublishAsync(ToolCatalog.Empty, Cancellation);

        Assert.True(after.Version > before.Version);
    }
}
