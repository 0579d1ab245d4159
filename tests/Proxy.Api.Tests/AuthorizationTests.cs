using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpOrch.Testing;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Keys = Proxy.Api.Tests.ProxyFixture.Keys;

namespace Proxy.Api.Tests;

/// <summary>
/// Who may do what, against the shared proxy: API keys and JWTs, permissions, allow-lists over REST and MCP,
/// rate limits, key management, session binding and the audit log.
/// </summary>
public sealed class AuthorizationTests(ProxyFixture fixture)
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    ProxyUnderTest Proxy => fixture.Proxy;

    HttpClient Client(string? key = null, string? bearer = null)
    {
        var http = new HttpClient { BaseAddress = Proxy.Process.BaseAddress };
        if (key is not null)
            http.WithApiKey(key);
        if (bearer is not null)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return http;
    }

    static async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpClient http, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request, Cancellation);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Cancellation));
    }

    static async Task<List<string>> ToolNamesAsync(HttpClient http, string path = "/tools") =>
        [.. (await http.GetFromJsonAsync<JsonElement>(path, Cancellation)).EnumerateArray().Select(t => t.GetProperty("name").GetString()!)];

    /// <summary>An HS256 JWT signed with <paramref name="secret"/>.</summary>
    static string Jwt(object claims, string secret = ProxyUnderTest.ProxySecret) => TestCredentials.Jwt(claims, secret);

    static long In(TimeSpan time) => DateTimeOffset.UtcNow.Add(time).ToUnixTimeSeconds();

    /// <summary>
    /// The records of <c>/admin/audit?{query}</c> once <paramref name="complete"/> holds for them: the audit log is
    /// written off the hot path, so records arrive within a second or so. After 10 s, whatever there is.
    /// </summary>
    async Task<JsonElement[]> AuditAsync(string query, Func<JsonElement[], bool> complete)
    {
        using var admin = Client(ProxyUnderTest.ProxySecret);
        JsonElement[] records = [];
        for (var attempt = 0; attempt < 100 && !complete(records); attempt++)
        {
            await Task.Delay(100, Cancellation);
            records = [.. (await admin.GetFromJsonAsync<JsonElement>($"/admin/audit?{query}", Cancellation)).GetProperty("items").EnumerateArray()];
        }
        return records;
    }

    [Theory]
    [InlineData("GET", "/tools")]
    [InlineData("GET", "/servers")]
    [InlineData("POST", "/tools/everything.echo")]
    [InlineData("POST", "/servers/reload")]
    [InlineData("GET", "/batch")]
    [InlineData("GET", "/admin/keys")]
    [InlineData("GET", "/admin/audit")]
    [InlineData("GET", "/admin/audit.csv")]
    [InlineData("GET", "/me")]
    [InlineData("GET", "/servers/stats")]
    [InlineData("POST", "/batch/validate")]
    [InlineData("POST", "/mcp")]
    [InlineData("POST", "/mcp/everything")]
    public async Task Without_a_credential_every_endpoint_is_401_and_says_how_to_send_one(string method, string path)
    {
        using var http = Client();
        var (status, body) = await SendAsync(http, new HttpMethod(method), path, "{}");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("Send an API key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'", body);

        using var wrong = Client(key: "not-a-key");
        (status, body) = await SendAsync(wrong, new HttpMethod(method), path, "{}");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("The API key is not valid", body);
    }

    [Fact]
    public async Task Health_needs_no_credential()
    {
        using var http = Client();
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, HttpMethod.Get, "/health")).Status);
    }

    [Fact]
    public async Task A_key_is_accepted_as_a_bearer_token_and_as_X_API_Key()
    {
        using var bearer = Client(bearer: Keys.Reader);
        using var header = Client(key: Keys.Reader);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(bearer, HttpMethod.Get, "/tools")).Status);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(header, HttpMethod.Get, "/tools")).Status);
    }

    [Theory]
    [InlineData(Keys.Reader, "POST", "/batch/execute", "execute")]
    [InlineData(Keys.Reader, "POST", "/servers/reload", "write")]
    [InlineData(Keys.EchoOnly, "GET", "/admin/keys", "write")]
    [InlineData(Keys.EchoOnly, "POST", "/admin/keys", "write")]
    [InlineData(Keys.Reader, "POST", "/batch/validate", "execute")]
    [InlineData(Keys.Reader, "GET", "/admin/audit.csv", "write")]
    [InlineData(Keys.Runner, "GET", "/servers/stats", "read")]
    [InlineData(Keys.Runner, "GET", "/servers/everything/stderr", "read")]
    public async Task A_key_without_the_permission_gets_403_naming_it(string key, string method, string path, string permission)
    {
        using var http = Client(key);
        var (status, body) = await SendAsync(http, new HttpMethod(method), path, """{"message": "hi"}""");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains($"lacks the {permission} permission, which {method} {path} needs", body);
    }

    [Fact]
    public async Task An_allow_list_limits_what_a_key_sees_and_calls_over_REST()
    {
        using var admin = Client(ProxyUnderTest.ProxySecret);
        using var echoOnly = Client(Keys.EchoOnly);
        using var memoryOnly = Client(Keys.MemoryOnly);
        var all = await ToolNamesAsync(admin);
        Assert.Contains("memory.read_graph", all);
        Assert.True(all.Count > 3);

        Assert.Equal(["everything.echo"], await ToolNamesAsync(echoOnly));
        Assert.Equal(["everything.echo"], await ToolNamesAsync(echoOnly, "/tools/everything"));
        var (status, body) = await SendAsync(echoOnly, HttpMethod.Get, "/tools/memory");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("may not use MCP server 'memory'", body);
        (status, body) = await SendAsync(echoOnly, HttpMethod.Post, "/tools/everything.echo", """{"message": "allowed"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("allowed", body);
        (status, body) = await SendAsync(echoOnly, HttpMethod.Post, "/tools/memory.read_graph", "{}");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("'echo-only' may not call 'memory.read_graph': it is outside the key's allow-list (tools: everything.echo)", body);

        Assert.Equal(all.Where(t => t.StartsWith("memory.", StringComparison.Ordinal)), await ToolNamesAsync(memoryOnly));
        (status, body) = await SendAsync(memoryOnly, HttpMethod.Get, "/tools/everything");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("may not use MCP server 'everything'", body);
        var servers = await memoryOnly.GetFromJsonAsync<JsonElement>("/servers", Cancellation);
        Assert.Equal(["memory"], servers.EnumerateArray().Select(s => s.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task An_allow_list_limits_what_a_key_sees_and_calls_over_MCP()
    {
        await using (var echoOnly = await Proxy.ConnectAsync(Cancellation, key: Keys.EchoOnly))
        {
            Assert.Equal(["everything.echo"], (await echoOnly.ListToolsAsync(cancellationToken: Cancellation)).Select(t => t.Name));
            var result = await echoOnly.CallToolAsync("everything.echo", new Dictionary<string, object?> { ["message"] = "over mcp" }, cancellationToken: Cancellation);
            Assert.Contains("over mcp", JsonSerializer.Serialize(result.Content, McpJsonUtilities.DefaultOptions));
            var denied = await Assert.ThrowsAsync<McpProtocolException>(async () =>
                await echoOnly.CallToolAsync("memory.read_graph", cancellationToken: Cancellation));
            Assert.Contains("outside the key's allow-list", denied.Message);
        }
        await using (var single = await Proxy.ConnectAsync(Cancellation, "/mcp/everything", key: Keys.EchoOnly))
            Assert.Equal(["echo"], (await single.ListToolsAsync(cancellationToken: Cancellation)).Select(t => t.Name));

        // A server outside the allow-list is refused before the handshake.
        var refused = await Assert.ThrowsAnyAsync<Exception>(async () => await Proxy.ConnectAsync(Cancellation, "/mcp/everything", key: Keys.MemoryOnly));
        Assert.Contains("403", refused.ToString());

        await using var reader = await Proxy.ConnectAsync(Cancellation, key: Keys.Reader);
        Assert.NotEmpty(await reader.ListToolsAsync(cancellationToken: Cancellation));
        var noExecute = await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await reader.CallToolAsync("everything.echo", new Dictionary<string, object?> { ["message"] = "x" }, cancellationToken: Cancellation));
        Assert.Contains("'reader' may not call tools: it lacks the execute permission", noExecute.Message);
    }

    [Fact]
    public async Task A_key_limited_to_some_tools_reaches_only_their_servers_for_resources_prompts_and_completion()
    {
        const string graph = "mcp-orch://memory/memory://knowledge-graph";
        await using (var echoOnly = await Proxy.ConnectAsync(Cancellation, key: Keys.EchoOnly))
        {
            Assert.All(await echoOnly.ListResourcesAsync(cancellationToken: Cancellation), r => Assert.StartsWith("mcp-orch://everything/", r.Uri));
            var read = await Assert.ThrowsAsync<McpProtocolException>(async () => await echoOnly.ReadResourceAsync(graph, cancellationToken: Cancellation));
            Assert.Contains("No MCP server 'memory' is available to 'echo-only'", read.Message);
        }
        using (var http = Client(Keys.EchoOnly))
            Assert.Equal(["everything"], (await http.GetFromJsonAsync<JsonElement>("/servers", Cancellation)).EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        var refused = await Assert.ThrowsAnyAsync<Exception>(async () => await Proxy.ConnectAsync(Cancellation, "/mcp/memory", key: Keys.EchoOnly));
        Assert.Contains("403", refused.ToString());

        // A token for the memory server's read tools reads its graph, and gets none of server-everything's prompts.
        var token = Jwt(new { sub = "graph-reader", exp = In(TimeSpan.FromMinutes(5)), permissions = new[] { "read", "execute" }, tools = new[] { "memory.read_*" } });
        await using var graphReader = await Proxy.ConnectAsync(Cancellation, key: token);
        Assert.NotEmpty((await graphReader.ReadResourceAsync(graph, cancellationToken: Cancellation)).Contents);
        Assert.Empty(await graphReader.ListPromptsAsync(cancellationToken: Cancellation));
        var prompt = await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await graphReader.GetPromptAsync("everything.simple-prompt", cancellationToken: Cancellation));
        Assert.Contains("No MCP server 'everything' is available to 'graph-reader'", prompt.Message);
        var completion = await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await graphReader.CompleteAsync(new PromptReference { Name = "everything.completable-prompt" }, "department", "E", cancellationToken: Cancellation));
        Assert.Contains("No MCP server 'everything' is available to 'graph-reader'", completion.Message);
    }

    [Fact]
    public async Task An_MCP_session_belongs_to_the_caller_that_opened_it()
    {
        // Sessions are a 2025 thing: 2026-07-28 clients have none.
        await using var client = await Proxy.ConnectAsync(Cancellation, options: new() { ProtocolVersion = "2025-06-18" }, key: Keys.EchoOnly);
        var sessionId = client.SessionId;
        Assert.False(string.IsNullOrEmpty(sessionId));
        const string list = """{"jsonrpc": "2.0", "id": 7, "method": "tools/list", "params": {}}""";

        async Task<(HttpStatusCode, string)> PostAsync(string? key)
        {
            using var http = Client(key);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(list, Encoding.UTF8, "application/json") };
            request.Headers.Add("Mcp-Session-Id", sessionId);
            request.Headers.Add("MCP-Protocol-Version", client.NegotiatedProtocolVersion);
            request.Headers.Accept.ParseAdd("application/json, text/event-stream");
            using var response = await http.SendAsync(request, Cancellation);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(Cancellation));
        }

        // The session id is no credential, and another key cannot use it.
        var (status, body) = await PostAsync(null);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        (status, body) = await PostAsync(Keys.Reader);
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.DoesNotContain("everything.echo", body);
        (status, body) = await PostAsync(Keys.EchoOnly);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("everything.echo", body);
    }

    [Fact]
    public async Task A_JWT_signed_with_JWT_SECRET_carries_permissions_and_an_allow_list()
    {
        var token = Jwt(new { sub = "ci-pipeline", exp = In(TimeSpan.FromMinutes(5)), permissions = new[] { "read", "execute" }, tools = new[] { "everything.ec*" } });
        using var http = Client(bearer: token);
        Assert.Equal(["everything.echo"], await ToolNamesAsync(http));
        var (status, _) = await SendAsync(http, HttpMethod.Post, "/tools/everything.echo", """{"message": "jwt"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        (status, var body) = await SendAsync(http, HttpMethod.Post, "/servers/reload");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("'ci-pipeline' lacks the write permission", body);

        // Space-separated permissions work too.
        using var spaced = Client(bearer: Jwt(new { sub = "s", exp = In(TimeSpan.FromMinutes(5)), permissions = "read execute" }));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(spaced, HttpMethod.Post, "/tools/everything.echo", """{"message": "x"}""")).Status);

        // Within security.jwt_max_lifetime (48h in the fixture's config).
        using var longLived = Client(bearer: Jwt(new { sub = "l", exp = In(TimeSpan.FromHours(47)), permissions = "read" }));
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(longLived, HttpMethod.Get, "/tools")).Status);
    }

    [Theory]
    [InlineData("expired", "The token expired at")]
    [InlineData("wrong-secret", "signature does not match")]
    [InlineData("no-exp", "tokens must expire")]
    [InlineData("no-sub", "no sub claim")]
    [InlineData("bad-permission", "names 'admin'")]
    [InlineData("too-long", "more than security.jwt_max_lifetime (48h) from now: issue tokens whose exp is at most that far ahead")]
    [InlineData("centuries", "more than security.jwt_max_lifetime (48h) from now")]
    public async Task A_bad_JWT_is_refused_with_the_reason(string kind, string reason)
    {
        var token = kind switch
        {
            "expired" => Jwt(new { sub = "x", exp = In(TimeSpan.FromMinutes(-5)), permissions = "read" }),
            "wrong-secret" => Jwt(new { sub = "x", exp = In(TimeSpan.FromMinutes(5)), permissions = "read" }, "another-secret-of-at-least-32-bytes!!"),
            "no-exp" => Jwt(new { sub = "x", permissions = "read" }),
            "no-sub" => Jwt(new { exp = In(TimeSpan.FromMinutes(5)), permissions = "read" }),
            "too-long" => Jwt(new { sub = "x", exp = In(TimeSpan.FromHours(49)), permissions = "read" }),
            "centuries" => Jwt(new { sub = "x", exp = In(TimeSpan.FromDays(300 * 365)), permissions = "read" }),
            _ => Jwt(new { sub = "x", exp = In(TimeSpan.FromMinutes(5)), permissions = "admin" }),
        };
        using var http = Client(bearer: token);
        var (status, body) = await SendAsync(http, HttpMethod.Get, "/tools");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains(reason, body);
    }

    [Fact]
    public async Task A_key_over_its_rate_limit_gets_429_with_Retry_After_and_recovers()
    {
        using var http = Client(Keys.Limited);
        HttpResponseMessage? limited = null;
        for (var i = 0; i < Keys.LimitedPerMinute + 5 && limited is null; i++)
        {
            var response = await http.PostAsync("/tools/everything.echo", JsonContent.Create(new { message = $"call {i}" }), Cancellation);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
                limited = response;
            else
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.NotNull(limited);
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 2);
        Assert.Contains("'limited' may make 60 tool calls a minute and has used them", await limited.Content.ReadAsStringAsync(Cancellation));

        await Task.Delay(retryAfter.Value + TimeSpan.FromMilliseconds(200), Cancellation);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/tools/everything.echo", JsonContent.Create(new { message = "again" }), Cancellation)).StatusCode);

        Assert.NotEmpty(await AuditAsync("caller=limited&outcome=rate_limited", records => records.Length > 0));
    }

    [Fact]
    public async Task Keys_are_made_listed_and_revoked_through_the_admin_API_and_stored_only_as_hashes()
    {
        using var admin = Client(ProxyUnderTest.ProxySecret);
        var created = await admin.PostAsJsonAsync("/admin/keys", new { name = "made-in-test", permissions = new[] { "read" }, tools = new[] { "memory.*" } }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = await created.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        var secret = key.GetProperty("key").GetString()!;
        var id = key.GetProperty("id").GetString()!;
        Assert.StartsWith("mco_", secret);

        using var made = Client(secret);
        Assert.All(await ToolNamesAsync(made), name => Assert.StartsWith("memory.", name));
        var listed = (await admin.GetStringAsync("/admin/keys", Cancellation));
        Assert.Contains(id, listed);
        Assert.DoesNotContain(secret, listed);
        Assert.DoesNotContain(Keys.Reader, listed);

        // The database has the hash, never the secret.
        await StoredKeys.AssertHashedAsync(Path.Combine(Proxy.Folder, ".mcp-orch-data"), secret);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/admin/keys/{id}", Cancellation)).StatusCode);
        var (status, body) = await SendAsync(made, HttpMethod.Get, "/tools");
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("revoked", body);
        Assert.Contains("revoked_at", await admin.GetStringAsync("/admin/keys", Cancellation));

        (status, body) = await SendAsync(admin, HttpMethod.Delete, "/admin/keys/config:reader");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("comes from security.api_keys in config.yaml", body);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(admin, HttpMethod.Delete, "/admin/keys/key_nosuchkey")).Status);
    }

    [Fact]
    public async Task A_bad_key_request_is_400_listing_every_problem()
    {
        using var admin = Client(ProxyUnderTest.ProxySecret);
        var (status, body) = await SendAsync(admin, HttpMethod.Post, "/admin/keys", """{"name": "", "permissions": ["read", "admin"], "rate_limit": 0}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("name: give the key a name", body);
        Assert.Contains("'admin' is not one: they are read, execute and write", body);
        Assert.Contains("rate_limit: tool calls per minute", body);
    }

    [Fact]
    public async Task Every_tool_call_is_audited_with_redacted_arguments_and_the_log_can_be_filtered()
    {
        using var echoOnly = Client(Keys.EchoOnly);
        var marker = Guid.NewGuid().ToString("N");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(echoOnly, HttpMethod.Post, "/tools/everything.echo", $$"""{"message": "{{marker}}"}""")).Status);
        await using (var mcp = await Proxy.ConnectAsync(Cancellation, key: Keys.EchoOnly))
            await mcp.CallToolAsync("everything.echo", new Dictionary<string, object?> { ["message"] = marker }, cancellationToken: Cancellation);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(echoOnly, HttpMethod.Post, "/tools/memory.read_graph", "{}")).Status);

        using var admin = Client(ProxyUnderTest.ProxySecret);
        // Other tests call echo with this key too (batch runs): wait for this test's own two sources.
        var records = await AuditAsync("caller=echo-only&limit=500", found =>
            new[] { "rest", "mcp" }.All(source => found.Any(r => r.GetProperty("tool").GetString() == "echo" && r.GetProperty("outcome").GetString() == "ok"
                && r.GetProperty("source").GetString() == source))
            && found.Any(r => r.GetProperty("outcome").GetString() == "denied"));
        var ok = records.Where(r => r.GetProperty("outcome").GetString() == "ok" && r.GetProperty("tool").GetString() == "echo").ToList();
        Assert.Contains(ok, r => r.GetProperty("source").GetString() == "rest");
        Assert.Contains(ok, r => r.GetProperty("source").GetString() == "mcp");
        Assert.All(ok, r =>
        {
            Assert.Equal("everything", r.GetProperty("server").GetString());
            Assert.Equal("""{"message":"***"}""", r.GetProperty("arguments").GetString());
            Assert.True(r.GetProperty("result_bytes").GetInt64() > 0);
            Assert.True(r.GetProperty("duration_ms").GetDouble() > 0);
        });
        Assert.Contains(records, r => r.GetProperty("outcome").GetString() == "denied" && r.GetProperty("tool").GetString() == "read_graph");
        Assert.DoesNotContain(marker, await admin.GetStringAsync("/admin/audit?limit=500", Cancellation));

        var denied = await admin.GetFromJsonAsync<JsonElement>("/admin/audit?caller=echo-only&outcome=denied&server=memory", Cancellation);
        Assert.All(denied.GetProperty("items").EnumerateArray(), r => Assert.Equal("denied", r.GetProperty("outcome").GetString()));
        var future = await admin.GetFromJsonAsync<JsonElement>($"/admin/audit?from={DateTime.UtcNow.AddHours(1):O}", Cancellation);
        Assert.Equal(0, future.GetProperty("total").GetInt32());
        var lastHour = await admin.GetFromJsonAsync<JsonElement>($"/admin/audit?caller=echo-only&from={DateTime.UtcNow.AddHours(-1):O}&to={DateTime.UtcNow.AddMinutes(1):O}", Cancellation);
        Assert.True(lastHour.GetProperty("total").GetInt32() >= 3);
        var at = lastHour.GetProperty("items")[0].GetProperty("at").GetDateTime();
        Assert.InRange(at, DateTime.UtcNow.AddHours(-1), DateTime.UtcNow.AddMinutes(1));
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(admin, HttpMethod.Get, "/admin/audit?from=yesterday")).Status);
    }

    [Fact]
    public async Task Calls_refused_for_a_missing_permission_or_bad_arguments_are_audited_and_bad_MCP_params_name_the_field()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var (reader, caller) = ($"reader-{id}", $"caller-{id}");
        string Token(string sub, params string[] permissions) => Jwt(new { sub, exp = In(TimeSpan.FromMinutes(5)), permissions });

        // REST calls the execute permission or the input schema refuses.
        using (var http = Client(bearer: Token(reader, "read")))
        {
            var (status, body) = await SendAsync(http, HttpMethod.Post, "/tools/everything.echo", """{"message": "x"}""");
            Assert.Equal(HttpStatusCode.Forbidden, status);
            Assert.Contains($"'{reader}' may not call tools: it lacks the execute permission", body);
        }
        using (var http = Client(bearer: Token(caller, "read", "execute")))
        {
            var (status, body) = await SendAsync(http, HttpMethod.Post, "/tools/everything.echo", """{"message": 5}""");
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Contains("The arguments do not fit the input schema of 'everything.echo': message:", body);
        }

        // MCP params the SDK cannot read: -32602 naming the field.
        await using (var mcp = await Proxy.ConnectAsync(Cancellation, key: Token(caller, "read", "execute")))
        {
            async Task<McpProtocolException> CallAsync(JsonObject parameters) => await Assert.ThrowsAsync<McpProtocolException>(async () =>
                await mcp.SendRequestAsync(new JsonRpcRequest { Method = RequestMethods.ToolsCall, Params = parameters }, Cancellation));
            var arguments = await CallAsync(new JsonObject { ["name"] = "everything.echo", ["arguments"] = "message=x" });
            Assert.Equal(McpErrorCode.InvalidParams, arguments.ErrorCode);
            Assert.Contains("'arguments' must be an object of the tool's arguments by name, not a string", arguments.Message);
            var prompt = await Assert.ThrowsAsync<McpProtocolException>(async () => await mcp.SendRequestAsync(new JsonRpcRequest
            {
                Method = RequestMethods.PromptsGet, Params = new JsonObject { ["name"] = "everything.simple-prompt", ["arguments"] = 5 },
            }, Cancellation));
            Assert.Equal(McpErrorCode.InvalidParams, prompt.ErrorCode);
            Assert.Contains("Invalid params of prompts/get: 'arguments' cannot be a number.", prompt.Message);
        }

        static string Field(JsonElement record, string name) => record.GetProperty(name).GetString()!;
        var denied = await AuditAsync($"caller={reader}", found => found.Length > 0);
        Assert.Equal(("rest", "everything", "echo", "denied"), Assert.Single(denied.Select(r => (Field(r, "source"), Field(r, "server"), Field(r, "tool"), Field(r, "outcome")))));
        var invalid = await AuditAsync($"caller={caller}", found => found.Length >= 2);
        Assert.Equal(["mcp", "rest"], invalid.Select(r => Field(r, "source")).Order());
        Assert.All(invalid, r => Assert.Equal(("echo", "invalid_arguments"), (Field(r, "tool"), Field(r, "outcome"))));
    }

    [Fact]
    public async Task Arguments_nested_deeper_than_the_limit_are_400()
    {
        using var http = Client(ProxyUnderTest.ProxySecret);
        var deep = string.Concat(Enumerable.Repeat("{\"a\":", 70)) + "1" + new string('}', 70);
        var (status, body) = await SendAsync(http, HttpMethod.Post, "/tools/everything.echo", $$"""{"message": {{deep}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("security.max_json_depth", body);
    }

    [Fact]
    public async Task A_batch_run_keeps_its_caller_s_allow_list_audit_name_and_privacy()
    {
        using var echoOnly = Client(Keys.EchoOnly);
        var (status, body) = await SendAsync(echoOnly, HttpMethod.Post, "/batch/execute",
            """{"plan": {"steps": [{"id": "a", "tool": "memory.read_graph", "args": {}}]}}""");
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("'echo-only' may not call memory.read_graph", body);

        (status, body) = await SendAsync(echoOnly, HttpMethod.Post, "/batch/execute",
            """{"plan": {"steps": [{"id": "a", "tool": "everything.echo", "args": {"message": "from a batch"}}]}}""");
        Assert.Equal(HttpStatusCode.Accepted, status);
        var id = JsonDocument.Parse(body).RootElement.GetProperty("task_id").GetString();

        using var admin = Client(ProxyUnderTest.ProxySecret);
        var state = "";
        for (var attempt = 0; attempt < 100 && state != "Completed"; attempt++)
        {
            await Task.Delay(100, Cancellation);
            state = (await echoOnly.GetFromJsonAsync<JsonElement>($"/batch/status/{id}", Cancellation)).GetProperty("state").GetString();
        }
        Assert.Equal("Completed", state);

        // Another key does not see the run; a key with the write permission does.
        using var limited = Client(Keys.Limited);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(limited, HttpMethod.Get, $"/batch/status/{id}")).Status);
        Assert.DoesNotContain(id!, (await SendAsync(limited, HttpMethod.Get, "/batch")).Body);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(admin, HttpMethod.Get, $"/batch/result/{id}")).Status);

        static bool OfRun(JsonElement record, string? id) => record.TryGetProperty("run_id", out var run) && run.GetString() == id;
        Assert.Contains(await AuditAsync("caller=echo-only&source=batch&limit=500", found => found.Any(r => OfRun(r, id))), r => OfRun(r, id));
    }
}
