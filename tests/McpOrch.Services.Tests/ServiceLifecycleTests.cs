using System.Net;

using McpOrch.Testing;

namespace McpOrch.Services.Tests;

public sealed class ServiceLifecycleTests(PostgresFixture postgres, RedisFixture redis, RabbitMqFixture rabbit) : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("orch-service-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>What the AppHost gives a worker: the connection strings of the distributed form.</summary>
    async Task<Dictionary<string, string>> DistributedAsync() => new()
    {
        ["ConnectionStrings__orchdb"] = await postgres.CreateDatabaseAsync($"service_{Guid.NewGuid():N}", TestContext.Current.CancellationToken),
        ["ConnectionStrings__redis"] = redis.ConnectionString,
        ["ConnectionStrings__messaging"] = rabbit.ConnectionString,
    };

    [Theory]
    [InlineData("Proxy.Api")]
    [InlineData("Planner.Worker")]
    [InlineData("Executor.Worker")]
    [InlineData("Dashboard.Web")]
    public async Task Each_service_answers_health_and_alive_then_stops_cleanly_on_SIGTERM(string project)
    {
        await using var service = project.EndsWith(".Worker", StringComparison.Ordinal)
            ? ServiceProcess.Start(project, _folder, await DistributedAsync())
            : ServiceProcess.Start(project, _folder);

        using var health = await service.WaitHealthyAsync();
        var alive = await service.WaitForAsync("/alive");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(0, await service.StopAsync());
        Assert.Contains("Application is shutting down", service.Output);
    }

    [Theory]
    [InlineData("Planner.Worker")]
    [InlineData("Executor.Worker")]
    public async Task A_worker_without_the_distributed_form_s_connection_strings_says_what_to_set(string project)
    {
        await using var service = ServiceProcess.Start(project, _folder);
        await service.WaitForExitAsync();

        Assert.Equal(2, service.ExitCode);
        Assert.Equal($"""
            MCP Orch cannot start: {project} runs in the distributed form: set ConnectionStrings__orchdb, ConnectionStrings__redis and ConnectionStrings__messaging (McpOrch.AppHost does). To run batches in one process, run mcp-orch alone.

            """.ReplaceLineEndings(), service.Output);
    }

    [Fact]
    public async Task With_only_some_connection_strings_the_proxy_names_the_missing_ones()
    {
        await using var service = ServiceProcess.Start("Proxy.Api", _folder, new Dictionary<string, string> { ["ConnectionStrings__redis"] = redis.ConnectionString });
        await service.WaitForExitAsync();

        Assert.Equal(2, service.ExitCode);
        Assert.Contains("ConnectionStrings__orchdb, ConnectionStrings__messaging are not set", service.Output);
    }

    [Fact]
    public async Task The_dashboard_sends_a_visitor_without_a_session_to_sign_in_and_serves_its_scripts_from_build_output()
    {
        await using var service = ServiceProcess.Start("Dashboard.Web", _folder);

        // WaitForAsync follows the redirect from / to the sign-in page.
        var home = await service.WaitForAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.EndsWith("/sign-in?ReturnUrl=%2F", home.RequestMessage!.RequestUri!.PathAndQuery);
        Assert.Contains("Sign in to MCP Orch", await home.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        // Not published and not in Development, as the AppHost runs it: the framework's script and FluentUI's files are
        // found through the static web assets manifest (they were served empty before).
        using var http = new HttpClient { BaseAddress = service.BaseAddress };
        foreach (var asset in new[] { "/_framework/blazor.web.js", "/_content/Microsoft.FluentUI.AspNetCore.Components/css/reboot.css" })
            Assert.True((await http.GetByteArrayAsync(asset, TestContext.Current.CancellationToken)).Length > 1000, asset + " is empty");
    }

    [Theory]
    [InlineData("Proxy.Api")]
    [InlineData("Planner.Worker")]
    [InlineData("Executor.Worker")]
    public async Task A_bad_configuration_stops_the_service_with_one_message_and_no_stack_trace(string project)
    {
        File.WriteAllText(Path.Combine(_folder, "mcp-config.json"), """{"mcpServers": {"github": {"args": ["x"]}}}""");
        File.WriteAllText(Path.Combine(_folder, "config.yaml"), "execution:\n  retry_count: many\n");

        await using var service = ServiceProcess.Start(project, _folder);
        await service.WaitForExitAsync();

        Assert.Equal(2, service.ExitCode);
        Assert.Equal("""
            MCP Orch cannot start: the configuration has 2 problems:
              config.yaml: line 2: execution.retry_count: must be a whole number, not 'many'.
              mcp-config.json: mcpServers.github: needs "command" (stdio) or "url" (remote).

            """.ReplaceLineEndings(), service.Output);
    }

    [Fact]
    public async Task The_proxy_listens_on_the_configured_port_when_no_address_is_given()
    {
        var port = ServiceProcess.FreePort();
        File.WriteAllText(Path.Combine(_folder, "config.yaml"), $"server:\n  host: 127.0.0.1\n  port: {port}\n");

        // As in a terminal: this process's stdout is a pipe, which would otherwise make mcp-orch serve stdio.
        await using var service = ServiceProcess.Start("Proxy.Api", _folder, port, ["--transport", "http"]);

        Assert.Equal(HttpStatusCode.OK, (await service.WaitForAsync("/health")).StatusCode);
        Assert.Contains($"Now listening on: http://127.0.0.1:{port}", service.Output);
    }
}
