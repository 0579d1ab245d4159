using System.Net;
using System.Text.Json.Nodes;

namespace Proxy.Api.Tests;

/// <summary><c>--mode</c> decides which surfaces are served; the REST tool API is always there.</summary>
public sealed class ModeTests
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    static async Task<(HttpStatusCode Mcp, HttpStatusCode Batch, HttpStatusCode Tools)> SurfacesAsync(string mode)
    {
        await using var proxy = await ProxyUnderTest.StartAsync(new JsonObject(),
            environment: new Dictionary<string, string> { ["McpOrch__Server__Mode"] = mode });
        using var mcp = await proxy.Http.PostAsync("/mcp", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"), Cancellation);
        using var batch = await proxy.Http.GetAsync("/batch", Cancellation);
        using var tools = await proxy.Http.GetAsync("/tools", Cancellation);
        return (mcp.StatusCode, batch.StatusCode, tools.StatusCode);
    }

    [Fact]
    public async Task Proxy_mode_serves_MCP_and_no_batch_runs()
    {
        var (mcp, batch, tools) = await SurfacesAsync("proxy");

        Assert.NotEqual(HttpStatusCode.NotFound, mcp);
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.OK), (batch, tools));
    }

    [Fact]
    public async Task Batch_mode_serves_batch_runs_and_no_MCP_endpoint()
    {
        var (mcp, batch, tools) = await SurfacesAsync("batch");

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.OK, HttpStatusCode.OK), (mcp, batch, tools));
    }
}
