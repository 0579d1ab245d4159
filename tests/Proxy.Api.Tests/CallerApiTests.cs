using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using McpOrch.Testing;
using Keys = Proxy.Api.Tests.ProxyFixture.Keys;

namespace Proxy.Api.Tests;

/// <summary><c>GET /me</c> against the shared proxy: what each kind of credential is, may do and may see.</summary>
public sealed class CallerApiTests(ProxyFixture fixture)
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    HttpClient Client(string? key = null, string? bearer = null)
    {
        var http = new HttpClient { BaseAddress = fixture.Proxy.Process.BaseAddress };
        if (key is not null)
            http.WithApiKey(key);
        if (bearer is not null)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return http;
    }

    static async Task<JsonElement> MeAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/me", Cancellation);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation);
    }

    static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    [Fact]
    public async Task A_configured_key_is_shown_with_its_permissions_allow_list_and_the_default_rate_limit()
    {
        using var memoryOnly = Client(Keys.MemoryOnly);

        var me = await MeAsync(memoryOnly);

        Assert.Equal(("config:memory-only", "memory-only", "config"), (me.GetProperty("id").GetString(), me.GetProperty("name").GetString(),
            me.GetProperty("source").GetString()));
        Assert.Equal(["read", "execute"], Strings(me.GetProperty("permissions")));
        Assert.Equal(["memory"], Strings(me.GetProperty("servers")));
        Assert.Empty(Strings(me.GetProperty("tools")));
        Assert.Equal(1200, me.GetProperty("rate_limit").GetInt32());
        Assert.DoesNotContain(Keys.MemoryOnly, me.GetRawText());
    }

    [Fact]
    public async Task A_key_s_own_rate_limit_and_tool_patterns_are_shown_and_the_environment_key_has_every_permission()
    {
        using var limited = Client(Keys.Limited);
        using var echoOnly = Client(Keys.EchoOnly);
        using var environment = Client(ProxyUnderTest.ProxySecret);

        Assert.Equal(Keys.LimitedPerMinute, (await MeAsync(limited)).GetProperty("rate_limit").GetInt32());
        Assert.Equal(["everything.echo"], Strings((await MeAsync(echoOnly)).GetProperty("tools")));
        var admin = await MeAsync(environment);
        Assert.Equal(("environment:API_KEY", "API_KEY", "environment"), (admin.GetProperty("id").GetString(), admin.GetProperty("name").GetString(),
            admin.GetProperty("source").GetString()));
        Assert.Equal(["read", "execute", "write"], Strings(admin.GetProperty("permissions")));
    }

    [Fact]
    public async Task A_key_without_read_may_still_ask_who_it_is()
    {
        using var runner = Client(Keys.Runner);

        var me = await MeAsync(runner);

        Assert.Equal("runner", me.GetProperty("name").GetString());
        Assert.Equal(["execute"], Strings(me.GetProperty("permissions")));
    }

    [Fact]
    public async Task A_jwt_is_its_subject_with_the_claims_permissions_and_a_made_key_is_its_id()
    {
        var token = TestCredentials.Jwt(new
        {
            sub = "console-user", name = "Console User", permissions = "read", servers = new[] { "everything" }, rate_limit = 30,
            exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(),
        }, ProxyUnderTest.ProxySecret);
        using var jwt = Client(bearer: token);

        var me = await MeAsync(jwt);

        Assert.Equal(("jwt:console-user", "Console User", "jwt", 30), (me.GetProperty("id").GetString(), me.GetProperty("name").GetString(),
            me.GetProperty("source").GetString(), me.GetProperty("rate_limit").GetInt32()));
        Assert.Equal(["read"], Strings(me.GetProperty("permissions")));
        Assert.Equal(["everything"], Strings(me.GetProperty("servers")));

        using var admin = Client(ProxyUnderTest.ProxySecret);
        var created = await (await admin.PostAsJsonAsync("/admin/keys", new { name = "console-made", permissions = new[] { "execute" } }, Cancellation))
            .Content.ReadFromJsonAsync<JsonElement>(Cancellation);
        using var made = Client(created.GetProperty("key").GetString());
        var madeMe = await MeAsync(made);
        Assert.Equal((created.GetProperty("id").GetString(), "console-made", "admin"), (madeMe.GetProperty("id").GetString(),
            madeMe.GetProperty("name").GetString(), madeMe.GetProperty("source").GetString()));
        Assert.Equal(["execute"], Strings(madeMe.GetProperty("permissions")));
    }
}
