using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using McpOrch.Testing;

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
    [InlineData("/tools/everything.echo", "[1, 2]",
        "The body is JSON but not an object. Send a JSON object of the arguments of 'everything.echo': GET /tools/everything shows its inputSchema.")]
    [InlineData("/tools/everything.echo", "{not json",
        """The body is not valid JSON at line 1, byte 2: 'n' is an invalid start of a property name. Expected a '"'. Send a JSON object of the arguments of 'everything.echo': GET /tools/everything shows its inputSchema.""")]
    [InlineData("/tools/everything.echo", "{\n  \"message\": hi\n}",
        "The body is not valid JSON at line 2, byte 14: 'h' is an invalid start of a value. Send a JSON object of the arguments of 'everything.echo': GET /tools/everything shows its inputSchema.")]
    public async Task Arguments_that_do_not_fit_are_400_naming_the_field(string path, string json, string detail)
    {
        var (status, body) = await PostAsync(path, json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(detail, body.GetProperty("detail").GetString());
        Assert.Equal("everything", body.GetProperty("server").GetString());
    }

    [Fact]
    public async Task A_JSON_body_is_taken_whatever_its_content_type_says()
    {
        // curl -d sends application/x-www-form-urlencoded, as the README's examples do.
        async Task<(HttpStatusCode, JsonElement)> PostFormAsync(string path, string json)
        {
            using var response = await Http.PostAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"), Cancellation);
            return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation));
        }

        var (status, body) = await PostFormAsync("/tools/everything.echo", """{"message":"hi"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Echo: hi", body.GetProperty("content")[0].GetProperty("text").GetString());

        // The other endpoints with a body read it the same way: their own answer, not 415.
        (status, body) = await PostFormAsync("/batch/execute", "{}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("Send exactly one of \"request\"", body.GetProperty("detail").GetString());
        (status, body) = await PostFormAsync("/admin/keys", "{}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("The key was not made.", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_body_that_is_not_JSON_is_told_where_the_parser_stopped_on_every_endpoint()
    {
        var (status, body) = await PostAsync("/batch/execute", """{"plan": {"steps": [}}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("The body is not valid JSON at line 1, byte 21: '}' is an invalid start of a value.", body.GetProperty("detail").GetString());

        (status, body) = await PostAsync("/admin/keys", """{"name": "ci", "permissions": "read"}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("The body does not fit at $.permissions (line 1, byte 37): ", body.GetProperty("detail").GetString());

        var deep = new string('[', 65) + new string(']', 65);
        (status, body) = await PostAsync("/tools/everything.echo", $$"""{"message": {{deep}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("The body nests deeper than security.max_json_depth (64 levels) at line 1, byte 76.", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_tool_of_a_disabled_server_is_404_saying_the_server_is_disabled()
    {
        var (status, body) = await PostAsync("/tools/switched-off.anything", "{}");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("Server disabled", body.GetProperty("title").GetString());
        Assert.StartsWith("'switched-off.anything' would be a tool of MCP server 'switched-off', which is disabled (\"disabled\": true in mcp-config.json)",
            body.GetProperty("detail").GetString());

        // A key that may not use the server learns nothing of it.
        using var memoryOnly = new HttpClient { BaseAddress = Http.BaseAddress }.WithApiKey(ProxyFixture.Keys.MemoryOnly);
        using var response = await memoryOnly.PostAsync("/tools/switched-off.anything", new StringContent("{}"), Cancellation);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.StartsWith("No tool is named", (await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_tool_of_a_server_that_is_not_running_is_502_with_the_server_s_state_and_error()
    {
        var (status, body) = await PostAsync("/tools/missing.anything", "{}");

        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.StartsWith("'missing.anything' would be a tool of MCP server 'missing', which is ", body.GetProperty("detail").GetString());
        Assert.Contains("command 'mcp-orch-no-such-command' not found", body.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("GET", "/no/such/path", HttpStatusCode.NotFound, "Nothing is served at /no/such/path: GET /openapi/v1.json (or /docs in a browser) lists the REST API, and MCP clients connect to /mcp.")]
    [InlineData("PUT", "/tools", HttpStatusCode.MethodNotAllowed, "PUT is not served at /tools; it takes GET.")]
    [InlineData("GET", "/batch/cancel/x", HttpStatusCode.MethodNotAllowed, "GET is not served at /batch/cancel/x; it takes DELETE.")]
    public async Task Answers_of_the_framework_are_problems_that_say_what_to_do(string method, string path, HttpStatusCode expected, string detail)
    {
        using var response = await Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Cancellation);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(detail, (await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation)).GetProperty("detail").GetString());
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
        Assert.Equal(["/me", "/tools", "/tools/{server}", "/tools/{name}", "/servers", "/servers/stats", "/servers/{name}/stderr", "/servers/reload",
            "/batch/execute", "/batch/validate", "/batch", "/batch/status/{id}", "/batch/result/{id}", "/batch/cancel/{id}", "/batch/events/{id}",
            "/admin/keys", "/admin/keys/{id}", "/admin/audit", "/admin/audit.csv"], paths);
        // What a client is generated from: the answers' types and the parameters' names.
        string Answer(string path, string method = "get") => document.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("responses")
            .GetProperty("200").GetProperty("content").EnumerateObject().Single().Value.GetProperty("schema").GetProperty("$ref").GetString()!;
        Assert.Equal("#/components/schemas/CallerInfo", Answer("/me"));
        Assert.Equal("#/components/schemas/CallReport", Answer("/servers/stats"));
        Assert.Equal("#/components/schemas/ServerStandardError", Answer("/servers/{name}/stderr"));
        Assert.Equal("#/components/schemas/PlanValidation", Answer("/batch/validate", "post"));
        IEnumerable<string> Parameters(string path) => document.GetProperty("paths").GetProperty(path).GetProperty("get").GetProperty("parameters")
            .EnumerateArray().Select(p => p.GetProperty("name").GetString()!);
        Assert.Equal(["caller", "server", "tool", "outcome", "source", "from", "to"], Parameters("/admin/audit.csv"));
        Assert.Equal(["caller", "server", "tool", "outcome", "source", "from", "to", "offset", "limit"], Parameters("/admin/audit"));
        Assert.Equal(["offset", "limit", "state"], Parameters("/batch"));
        Assert.True(document.GetProperty("paths").GetProperty("/admin/audit.csv").GetProperty("get").GetProperty("responses").GetProperty("200")
            .GetProperty("content").TryGetProperty("text/csv", out _));
        Assert.True(document.GetProperty("paths").GetProperty("/tools/{name}").GetProperty("post").GetProperty("responses").TryGetProperty("504", out _));
        // Bodies are described as JSON, though any content type that carries JSON is taken.
        JsonElement Body(string path) => document.GetProperty("paths").GetProperty(path).GetProperty("post").GetProperty("requestBody")
            .GetProperty("content").GetProperty("application/json").GetProperty("schema");
        Assert.Equal("object", Body("/tools/{name}").GetProperty("type").GetString());
        Assert.Equal("#/components/schemas/BatchRequest", Body("/batch/execute").GetProperty("$ref").GetString());
        Assert.Equal("#/components/schemas/NewKey", Body("/admin/keys").GetProperty("$ref").GetString());
        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("X-API-Key", schemes.GetProperty("apiKey").GetProperty("name").GetString());
        Assert.Equal("bearer", schemes.GetProperty("bearer").GetProperty("scheme").GetString());
        Assert.Equal(2, document.GetProperty("security").GetArrayLength());

        var page = await Http.GetStringAsync("/docs/", Cancellation);
        Assert.Contains("scalar.js", page);
    }
}
