using McpOrch.Core.Configuration;
using McpOrch.Core.Plans;
using McpOrch.Core.Runs;
using McpOrch.Core.Upstreams;
using McpOrch.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace McpOrch.IntegrationTests.Runs;

/// <summary>Plans run in this process against the C# test server over stdio: the scheduling rules and the step runner.</summary>
public sealed class PlanRunnerTests : IAsyncLifetime
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;
    readonly ExecutionOptions _execution = new() { RetryCount = 3, MaxParallelTasks = 4 };
    UpstreamRegistry _upstreams = null!;

    public async ValueTask InitializeAsync()
    {
        var command = TestServer.Command();
        var server = new McpServerDefinition
        {
            Name = "test", Transport = McpTransportKind.Stdio, Command = command.Command, Args = command.Arguments,
            Timeout = TimeSpan.FromSeconds(1),
        };
        _upstreams = new UpstreamRegistry(new McpServersConfiguration(null, [server]),
            Options.Create(new OrchOptions { Execution = _execution }), NullLoggerFactory.Instance);
        await _upstreams.StartAsync(Cancellation);
        await _upstreams.WaitForFirstAttemptsAsync(Cancellation);
    }

    public async ValueTask DisposeAsync() => await _upstreams.DisposeAsync();

    Task<IReadOnlyDictionary<string, (StepState State, StepOutcome? Outcome)>> RunAsync(string plan) =>
        new PlanRunner(new StepRunner(_upstreams, _execution), _execution).RunAsync(Plan.Parse(plan), Cancellation);

    [Fact]
    public async Task A_DAG_with_fan_out_and_fan_in_completes_with_the_right_outputs()
    {
        var result = await RunAsync("""
            {"steps": [
              {"id": "list", "tool": "test.make_list", "args": {"count": 3}},
              {"id": "each", "tool": "test.sleep_echo", "forEach": "${list.items}", "as": "x", "args": {"ms": 20, "value": "n=${x.n}"}},
              {"id": "side", "tool": "test.sleep_echo", "args": {"ms": 20, "value": "independent"}},
              {"id": "join", "tool": "test.sleep_echo", "args": {"ms": 1, "value": "all: ${each}, ${side}, first ${list.items[0].n}"}}
            ]}
            """);

        Assert.All(result.Values, r => Assert.Equal(StepState.Succeeded, r.State));
        Assert.Equal("""["n=1","n=2","n=3"]""", result["each"].Outcome!.Output!.ToJsonString());
        Assert.Equal("""all: ["n=1","n=2","n=3"], independent, first 1""", result["join"].Outcome!.Output!.GetValue<string>());
    }

    [Fact]
    public async Task A_forEach_over_fifty_items_keeps_the_input_order()
    {
        var result = await RunAsync("""
            {"steps": [
              {"id": "list", "tool": "test.make_list", "args": {"count": 50}},
              {"id": "each", "tool": "test.sleep_echo", "forEach": "${list.items}", "args": {"ms": 5, "value": "#${item.n}"}}
            ]}
            """);

        Assert.Equal(StepState.Succeeded, result["each"].State);
        Assert.Equal(Enumerable.Range(1, 50).Select(n => $"#{n}"), result["each"].Outcome!.Output!.AsArray().Select(n => n!.GetValue<string>()));
    }

    /// <summary>A plan of one step that hangs on its first <paramref name="times"/> calls (a fresh key each time).</summary>
    static string StallFirst(int times) =>
        """{"steps": [{"id": "slow", "tool": "test.stall_first", "args": {"key": """ + $"\"{Guid.NewGuid()}\", \"times\": {times}" + "}}]}";

    [Fact]
    public async Task A_timed_out_call_is_retried_and_then_succeeds()
    {
        var result = await RunAsync(StallFirst(times: 1));

        Assert.Equal(StepState.Succeeded, result["slow"].State);
        Assert.Equal("answered on call 2", result["slow"].Outcome!.Output!.GetValue<string>());
    }

    [Fact]
    public async Task A_step_that_keeps_timing_out_fails_with_the_reason_after_its_retries()
    {
        var result = await RunAsync(StallFirst(times: 10));

        Assert.Equal(StepState.Failed, result["slow"].State);
        Assert.Equal("The call to 'stall_first' on MCP server 'test' timed out after 1 s and was cancelled. (after 4 attempts)",
            result["slow"].Outcome!.Error);
    }

    [Fact]
    public async Task An_error_result_fails_the_step_at_once_and_skips_what_depends_on_it()
    {
        var result = await RunAsync("""
            {"steps": [
              {"id": "bad", "tool": "test.fail", "args": {"message": "boom"}},
              {"id": "after", "tool": "test.sleep_echo", "args": {"ms": 1, "value": "${bad}"}},
              {"id": "other", "tool": "test.sleep_echo", "args": {"ms": 1, "value": "unaffected"}}
            ]}
            """);

        Assert.Equal((StepState.Failed, "test.fail returned an error: boom"), (result["bad"].State, result["bad"].Outcome!.Error));
        Assert.Equal(StepState.Skipped, result["after"].State);
        Assert.Equal(StepState.Succeeded, result["other"].State);
    }

    [Fact]
    public async Task A_forEach_over_something_that_is_not_a_list_fails_with_the_reason()
    {
        var result = await RunAsync("""
            {"steps": [
              {"id": "one", "tool": "test.sleep_echo", "args": {"ms": 1, "value": "just text"}},
              {"id": "each", "tool": "test.sleep_echo", "forEach": "${one}", "args": {"ms": 1, "value": "${item}"}}
            ]}
            """);

        Assert.Equal("forEach ${one} must be an array, but it is a string", result["each"].Outcome!.Error);
    }
}
