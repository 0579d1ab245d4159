using System.Text.Json.Nodes;
using McpOrch.LocalServers;
using McpOrch.Core.Catalog;
using McpOrch.Testing;
using StackExchange.Redis;

namespace McpOrch.IntegrationTests.Batch;

/// <summary>
/// The distributed system through the faults of its backing servers, each a server of the test's own that it stops
/// and starts again on the same port: a database outage while steps run, a Redis restart that loses every key.
/// </summary>
[Collection(WholeSystems.Name)]
public sealed class BatchFaultTests(PostgresFixture postgres, RedisFixture redis, RabbitMqFixture rabbit)
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_database_outage_while_steps_run_makes_no_call_twice_and_loses_no_outcome()
    {
        using var scratch = ScratchDirectory.Create("db-outage");
        var options = new PostgresServerOptions { DataDirectory = scratch.Combine("postgres"), Port = LoopbackPort.FindFree() };
        var database = await PostgresServer.StartAsync(options, cancellationToken: Cancellation);
        try
        {
            await using var system = await BatchSystem.StartDistributedAsync(database.ConnectionString,
                $"{redis.ConnectionString},defaultDatabase={Random.Shared.Next(1, 15)}", rabbit.ConnectionString, executors: 2);
            var calls = Directory.CreateDirectory(scratch.Combine("calls")).FullName;
            const int steps = 8;
            var id = await system.Batch.SubmitPlanAsync(new JsonObject
            {
                ["steps"] = new JsonArray([.. Enumerable.Range(1, steps).Select(i => (JsonNode)new JsonObject
                {
                    ["id"] = $"s{i}", ["tool"] = "slow.logged_sleep_echo",
                    ["args"] = new JsonObject { ["log"] = calls, ["ms"] = 5000, ["value"] = $"v{i}" },
                })]),
            }.ToJsonString());

            // The database goes away while the calls run, and comes back after they have ended: their outcomes wait.
            await WaitForAsync(() => Directory.GetFiles(calls).Length > 0, "the first call to start");
            await Task.Delay(1000, Cancellation);
            await database.DisposeAsync();
            await Task.Delay(8000, Cancellation);
            database = await PostgresServer.StartAsync(options, cancellationToken: Cancellation);
            // The API's pooled connections died with the server: its first status read after the restart meets one, and
            // still answers (the database client tries again on a new connection).

            var status = await system.Batch.WaitForEndAsync(id, TimeSpan.FromMinutes(2));
            system.Batch.AssertState(status, "Completed");
            var keys = Directory.GetFiles(calls).Select(File.ReadAllText).Order().ToList();
            Assert.True(keys.Count == steps, $"{keys.Count} calls for {steps} steps: {string.Join(", ", keys)}\n{system.Logs()}");
            Assert.Equal(Enumerable.Range(1, steps).Select(i => $"{id}/s{i}").Order(), keys);
            Assert.All(status["steps"]!.AsArray(), step => Assert.Equal(1, step!["dispatch"]!.GetValue<int>()));
            var outputs = (await system.Batch.ResultAsync(id))["outputs"]!.AsObject();
            Assert.Equal(Enumerable.Range(1, steps).Select(i => $"v{i}"), Enumerable.Range(1, steps).Select(i => outputs[$"s{i}"]!.GetValue<string>()));
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    [Fact]
    public async Task After_Redis_restarts_empty_the_catalog_is_published_again_and_requests_in_words_are_planned()
    {
        using var scratch = ScratchDirectory.Create("redis-restart");
        var options = new RedisServerOptions { DataDirectory = scratch.Combine("redis"), Port = LoopbackPort.FindFree() };
        var cache = await RedisServer.StartAsync(options, cancellationToken: Cancellation);
        try
        {
            await using var system = await BatchSystem.StartDistributedAsync(
                await postgres.CreateDatabaseAsync($"batch_{Guid.NewGuid():N}", Cancellation), cache.ConnectionString, rabbit.ConnectionString, executors: 1);
            await using (var before = await ConnectionMultiplexer.ConnectAsync(cache.ConnectionString))
                await WaitForAsync(() => before.GetDatabase().KeyExists(RedisCatalogStore.SnapshotKey), "the catalog to be published");

            // Restarted without persistence, as the AppHost runs it: every key is gone.
            await cache.DisposeAsync();
            cache = await RedisServer.StartAsync(options, cancellationToken: Cancellation);
            await using (var after = await ConnectionMultiplexer.ConnectAsync(cache.ConnectionString))
                await WaitForAsync(() => after.GetDatabase().KeyExists(RedisCatalogStore.SnapshotKey), "the catalog to be published again", system.Logs);

            system.Llm
                .Answer("""{"steps": [{"id": "a", "tool": "test.sleep_echo", "args": {"ms": 1, "value": "forty-two"}}]}""")
                .Answer("The answer is forty-two.");
            var id = await system.Batch.SubmitAsync(new { request = "What is the answer?" });
            system.Batch.AssertState(await system.Batch.WaitForEndAsync(id), "Completed");
            Assert.Equal("The answer is forty-two.", (await system.Batch.ResultAsync(id))["answer"]!.GetValue<string>());
        }
        finally
        {
            await cache.DisposeAsync();
        }
    }

    static async Task WaitForAsync(Func<bool> condition, string what, Func<string>? logs = null)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); !condition(); await Task.Delay(100, Cancellation))
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Waited 30 s in vain for {what}.\n{logs?.Invoke()}");
    }
}
