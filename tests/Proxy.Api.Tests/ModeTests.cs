using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Proxy.Api.Tests;

/// <summary><c>--mode</c> decides which surfaces are served; the REST tool API is always there.</summary>
public sealed class ModeTests
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    sealed record Answer(HttpStatusCode Status, string? Detail);

    static async Task<(Answer Mcp, Answer Batch, Answer Tools)> SurfacesAsync(string mode)
    {
        await using var proxy = await ProxyUnderTest.StartAsync(new JsonObject(),
            environment: new Dictionary<string, string> { ["McpOrch__Server__Mode"] = mode });
        using var mcp = await proxy.Http.PostAsync("/mcp", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"), Cancellation);
        using var batch = await proxy.Http.GetAsync("/batch", Cancellation);
        using var tools = await proxy.Http.GetAsync("/tools", Cancellation);
        return (await AnswerAsync(mcp), await AnswerAsync(batch), await AnswerAsync(tools));
    }

    static async Task<Answer> AnswerAsync(HttpResponseMessage response) =>
        new(response.StatusCode, response.Content.Headers.ContentType?.MediaType == "application/problem+json"
            ? (await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("detail").GetString()
            : null);

    [Fact]
    public async Task Proxy_mode_serves_MCP_and_no_batch_runs()
    {
        var (mcp, batch, tools) = await SurfacesAsync("proxy");

        Assert.NotEqual(HttpStatusCode.NotFound, mcp.Status);
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.OK), (batch.Status, tools.Status));
        Assert.Equal("Batch runs are served in --mode batch or hybrid; this gateway runs --mode proxy (server.mode in config.yaml).", batch.Detail);
    }

    [Fact]
    public async Task Batch_mode_serves_batch_runs_and_no_MCP_endpoint()
    {
        var (mcp, batch, tools) = await SurfacesAsync("batch");

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.OK, HttpStatusCode.OK), (mcp.Status, batch.Status, tools.Status));
        Assert.Equal("MCP endpoints are served in --mode proxy or hybrid; this gateway runs --mode batch (server.mode in config.yaml).", mcp.Detail);
    }
}
