using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Proxy.Api.Tests;

public sealed class RestApiTests(ProxyFixture fixture)
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;
    HttpClient Http => fixture.Proxy.Http;

    async Task<JsonElement> GetJsonAsync(string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await Http.GetAsync(path, Cancellation);
        Assert.Equal(expected, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
    }

    async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, string json)
    {
        using var response = await Http.PostAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"), Cancellation);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation));
    }

    [Fact]
    public async Task Get_tools_lists_every_tool_with_its_server_and_schemas()
    {
        var tools = (await GetJsonAsync("/tools")).EnumerateArray().ToList();

        var echo = Assert.Single(tools, t => t.GetProperty("name").GetString() == "everything.echo");
        Assert.Equal("everything", echo.GetProperty("server").GetString());
        Assert.Equal("echo", echo.GetProperty("tool").GetString());
        Assert.Equal("Echoes back the input string", echo.GetProperty("description").GetString());
        Assert.Equal("message", echo.GetProperty("inputSchema").GetProperty("required")[0].GetString());
        Assert.True(echo.GetProperty("annotations").GetProperty("readOnlyHint").GetBoolean());
        Assert.Contains(tools, t => t.GetProperty("server").GetString() == "memory");
    }

    [Fact]
    public async Task Get_tools_of_a_server_lists_only_its_tools()
    {
        var tools = (await GetJsonAsync("/tools/memory")).EnumerateArray().ToList();

        Assert.NotEmpty(tools);
        Assert.All(tools, t => Assert.Equal("memory", t.GetProperty("server").GetString()));
        Assert.Contains(tools, t => t.GetProperty("tool").GetString() == "read_graph");
    }

    [Fact]
    public async Task Get_tools_of_an_unknown_server_is_404_and_of_a_failed_one_503_with_the_reason()
    {
        var unknown = await GetJsonAsync("/tools/nobody", HttpStatusCode.NotFound);
        Assert.Equal("No MCP server is named 'nobody': GET /servers lists the configured ones.", unknown.GetProperty("detail").GetString());

        var missing = await GetJsonAsync("/tools/missing", HttpStatusCode.ServiceUnavailable);
        Assert.Contains("command 'mcp-orch-no-such-command' not found", missing.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Post_calls_the_tool_with_the_body_as_arguments()
    {
        var (status, body) = await PostAsync("/tools/everything.echo", """{"message": "over REST"}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Echo: over REST", body.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("text", body.GetProperty("content")[0].GetProperty("type").GetString());
    }

    [Fact]
    public async Task Post_returns_structured_content()
    {
        var (status, body) = await PostAsync("/tools/everything.get-structured-content", """{"location": "New York"}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(body.GetProperty("structuredContent").TryGetProperty("temperature", out _));
    }

    [Theory]
    [InlineData("/tools/everything.echo", "{}", "The arguments do not fit the input schema of 'everything.echo': message: property required.")]
    [InlineData("/tools/everything.get-sum", """{"a": 1, "b": "two"}""", "The arguments do not fit the input schema of 'everything.get-sum': b: number expected.")]
    [InlineData("/tools/everything.echo", "[1, 2]", """The body must be a JSON object of arguments for 'everything.echo', nested at most 64 levels (security.max_json_depth), e.g. {"message": "hello"}.""")]
    [InlineData("/tools/everything.echo", "{not json", """The body must be a JSON object of arguments for 'everything.echo', nested at most 64 levels (security.max_json_depth), e.g. {"message": "hello"}.""")]
    public async Task Arguments_that_do_not_fit_are_400_naming_the_field(string path, string json, string detail)
    {
        var (status, body) = await PostAsync(path, json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(detail, body.GetProperty("detail").GetString());
        Assert.Equal("everything", body.GetProperty("server").GetString());
    }

    [Fact]
    public async Task Post_to_an_unknown_tool_is_404()
    {
        var (status, body) = await PostAsync("/tools/everything.nope", "{}");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("No tool is named 'everything.nope': GET /tools lists them, named server.tool.", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Get_servers_shows_status_and_errors_and_redacts_secrets()
    {
        var servers = (await GetJsonAsync("/servers")).EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!);

        var everything = servers["everything"];
        Assert.Equal("healthy", everything.GetProperty("status").GetString());
        Assert.Equal("stdio", everything.GetProperty("transport").GetString());
        Assert.StartsWith("20", everything.GetProperty("protocolVersion").GetString());
        Assert.True(everything.GetProperty("toolCount").GetInt32() > 5);
        Assert.True(everything.GetProperty("uptimeSeconds").GetDouble() >= 0);
        Assert.Equal("***", everything.GetProperty("env").GetProperty("GREETING").GetString());
        Assert.DoesNotContain("configured-value", everything.GetRawText());

        var missing = servers["missing"];
        Assert.NotEqual("healthy", missing.GetProperty("status").GetString());
        Assert.Contains("not found", missing.GetProperty("lastError").GetString());

        var crashing = servers["crashing"];
        Assert.Contains("exited with code 3", crashing.GetProperty("lastError").GetString());
        Assert.Contains("bad credentials", crashing.GetProperty("lastError").GetString());
        Assert.True(crashing.GetProperty("restarts").GetInt32() >= 1);
    }

    [Fact]
    public async Task The_REST_API_is_described_by_OpenAPI_and_browsable_at_docs()
    {
        var document = await GetJsonAsync("/openapi/v1.json");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(["/tools", "/tools/{server}", "/tools/{name}", "/servers", "/servers/reload",
            "/batch/execute", "/batch", "/batch/status/{id}", "/batch/result/{id}", "/batch/cancel/{id}", "/batch/events/{id}",
            "/admin/keys", "/admin/keys/{id}", "/admin/audit"], paths);
        Assert.True(document.GetProperty("paths").GetProperty("/tools/{name}").GetProperty("post").GetProperty("responses").TryGetProperty("504", out _));
        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("X-API-Key", schemes.GetProperty("apiKey").GetProperty("name").GetString());
        Assert.Equal("bearer", schemes.GetProperty("bearer").GetProperty("scheme").GetString());
        Assert.Equal(2, document.GetProperty("security").GetArrayLength());

        var page = await Http.GetStringAsync("/docs/", Cancellation);
        Assert.Contains("scalar.js", page);
    }
}
