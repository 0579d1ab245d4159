using McpOrch.Testing;

namespace McpOrch.IntegrationTests.Batch;

/// <summary>Proxy.Api, a Planner.Worker and two Executor.Workers over PostgreSQL, Redis and RabbitMQ, each a process.</summary>
[Collection(WholeSystems.Name)]
public sealed class DistributedBatchTests(DistributedBatchTests.Fixture fixture, PostgresFixture postgres, RedisFixture redis, RabbitMqFixture rabbit)
    : BatchScenarios, IClassFixture<DistributedBatchTests.Fixture>
{
    /// <summary>Starts the system on first use: it needs the assembly's backing servers, which a class fixture cannot take.</summary>
    public sealed class Fixture : IAsyncDisposable
    {
        readonly SemaphoreSlim _gate = new(1);
        BatchSystem? _system;

        public async Task<BatchSystem> GetAsync(PostgresFixture postgres, RedisFixture redis, RabbitMqFixture rabbit)
        {
            await _gate.WaitAsync();
            try
            {
                return _system ??= await BatchSystem.StartDistributedAsync(postgres, redis, rabbit, executors: 2);
            }
            finally
            {
                _gate.Release();
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_system is not null)
                await _system.DisposeAsync();
        }
    }

    protected override Task<BatchSystem> SystemAsync() => fixture.GetAsync(postgres, redis, rabbit);

    [Fact]
    public async Task When_the_executor_running_a_step_is_killed_another_one_finishes_the_run_with_the_same_idempotency_key()
    {
        var system = await SystemAsync();
        var calls = Directory.CreateDirectory(Path.Combine(system.Folder, $"calls-{Guid.NewGuid():N}")).FullName;
        var id = await system.Batch.SubmitPlanAsync($$$"""
            {"steps": [
              {"id": "long", "tool": "slow.logged_sleep_echo", "args": {"log": "{{{calls}}}", "ms": 4000, "value": "survived"}},
              {"id": "after", "tool": "slow.sleep_echo", "args": {"ms": 1, "value": "${long} twice"}}
            ]}
            """);
        // Killed once the call reached the server: a call in flight, the one a crash makes run again.
        var running = await system.Batch.WaitForAsync(id, s => BatchClient.Step(s, "long")["executor"] is not null && Directory.GetFiles(calls).Length > 0,
            "the step's call to reach the server");
        var owner = BatchClient.Step(running, "long")["executor"]!.GetValue<string>();
        var victim = system.Executors.Single(e => owner.Contains($"/{e.Id}/", StringComparison.Ordinal));

        await victim.KillAsync();
        var status = await system.Batch.WaitForEndAsync(id);
        await system.StartWorkerAsync("Executor.Worker"); // Two again, for the other tests.

        system.Batch.AssertState(status, "Completed");
        var step = BatchClient.Step(status, "long");
        Assert.Equal(2, step["dispatch"]!.GetValue<int>());
        Assert.NotEqual(owner, step["executor"]!.GetValue<string>());
        Assert.Equal("survived twice", (await system.Batch.ResultAsync(id))["outputs"]!["after"]!.GetValue<string>());
        // The call in flight ran again (at least once: a server with side effects sees it twice), under the same key.
        Assert.Equal([$"{id}/long", $"{id}/long"], Directory.GetFiles(calls).Select(File.ReadAllText));
    }
}
