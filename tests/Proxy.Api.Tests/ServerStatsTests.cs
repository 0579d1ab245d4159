using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using McpOrch.Testing;

namespace Proxy.Api.Tests;

/// <summary>
/// <c>GET /servers/stats</c> on a proxy of its own (the audit log holds this test's calls alone): calls made over REST,
/// some failing, come back counted per server, with errors, error rate, percentiles and minutes, for the servers the
/// key may see.
/// </summary>
public sealed class ServerStatsTests(ServerStatsTests.Proxy fixture) : IClassFixture<ServerStatsTests.Proxy>
{
    const string StatsOnly = "stats-only-key-for-tests";

    /// <summary>Two test servers, and a key for one of them.</summary>
    public sealed class Proxy : IAsyncLifetime
    {
        public ProxyUnderTest Process { get; private set; } = null!;

        public async ValueTask InitializeAsync() =>
            Process = await ProxyUnderTest.StartAsync(new JsonObject { ["stats"] = ProxyUnderTest.TestServer(), ["other"] = ProxyUnderTest.TestServer() },
                $$"""
                security:
                  api_keys:
                    - { name: stats-only, key: {{StatsOnly}}, permissions: [read, execute], servers: [stats] }
                """);

        public async ValueTask DisposeAsync() => await Process.DisposeAsync();
    }

    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    ProxyUnderTest Gateway => fixture.Process;

    HttpClient Client(string key) => Gateway.ClientWith(key);

    static async Task<HttpStatusCode> CallAsync(HttpClient http, string tool, string arguments) => (await http.PostJsonAsync($"/tools/{tool}", arguments)).Status;

    /// <summary>The report once it counts <paramref name="calls"/> calls in all: the audit log is written off the hot path.</summary>
    static async Task<JsonElement> StatsAsync(HttpClient http, int calls, string query = "")
    {
        var report = default(JsonElement);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            report = await http.GetFromJsonAsync<JsonElement>($"/servers/stats{query}", Cancellation);
            if (report.GetProperty("total").GetProperty("calls").GetInt32() >= calls)
                break;
            await Task.Delay(100, Cancellation);
        }
        return report;
    }

    [Fact]
    public async Task Calls_made_over_rest_are_counted_per_server_with_errors_percentiles_and_minutes()
    {
        var admin = Gateway.Http;
        using var statsOnly = Client(StatsOnly);
        for (var i = 0; i < 4; i++)
            Assert.Equal(HttpStatusCode.OK, await CallAsync(admin, "stats.sleep_echo", """{"ms": 10, "value": "quick"}"""));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(admin, "stats.sleep_echo", """{"ms": 300, "value": "slow"}"""));
        for (var i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.OK, await CallAsync(admin, "stats.fail", """{"message": "on purpose"}""")); // isError: still 200
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, await CallAsync(admin, "other.sleep_echo", """{"ms": 1, "value": "x"}"""));
        // Refused by the gateway, audited against the server all the same.
        Assert.Equal(HttpStatusCode.Forbidden, await CallAsync(statsOnly, "other.sleep_echo", """{"ms": 1, "value": "x"}"""));

        var report = await StatsAsync(admin, calls: 11);

        Assert.Equal((15, false), (report.GetProperty("minutes").GetInt32(), report.GetProperty("truncated").GetBoolean()));
        Assert.Equal(["stats", "other"], report.GetProperty("servers").EnumerateArray().Select(s => s.GetProperty("server").GetString()));
        var stats = report.GetProperty("servers")[0];
        Assert.Equal((7, 2, 0.2857), (stats.GetProperty("calls").GetInt32(), stats.GetProperty("errors").GetInt32(), stats.GetProperty("errorRate").GetDouble()));
        var (p50, p99) = (stats.GetProperty("p50Ms").GetDouble(), stats.GetProperty("p99Ms").GetDouble());
        // Sorted, the fourth of seven calls is a 10 ms one; the slowest took 300 ms and more.
        Assert.InRange(p50, 10, 299);
        Assert.InRange(p99, 300, 30_000);
        Assert.True(p50 <= p99);
        Assert.Equal(5, stats.GetProperty("outcomes").GetProperty("ok").GetInt32());
        Assert.Equal(2, stats.GetProperty("outcomes").GetProperty("tool_error").GetInt32());
        var series = stats.GetProperty("series").EnumerateArray().ToList();
        Assert.Equal(15, series.Count);
        Assert.Equal(7, series.Sum(m => m.GetProperty("calls").GetInt32()));
        Assert.Equal(2, series.Sum(m => m.GetProperty("errors").GetInt32()));
        Assert.Equal(JsonValueKind.Null, series[0].GetProperty("p50Ms").ValueKind); // a minute without calls
        var minutes = series.Select(m => m.GetProperty("minute").GetDateTimeOffset()).ToList();
        Assert.Equal(report.GetProperty("from").GetDateTimeOffset(), minutes[0]);
        Assert.All(minutes.Zip(minutes.Skip(1)), pair => Assert.Equal(TimeSpan.FromMinutes(1), pair.Second - pair.First));
        var other = report.GetProperty("servers")[1];
        Assert.Equal((4, 1), (other.GetProperty("calls").GetInt32(), other.GetProperty("errors").GetInt32()));
        Assert.Equal(1, other.GetProperty("outcomes").GetProperty("denied").GetInt32());
        var total = report.GetProperty("total");
        Assert.Equal((11, 3, 0.2727), (total.GetProperty("calls").GetInt32(), total.GetProperty("errors").GetInt32(), total.GetProperty("errorRate").GetDouble()));
        Assert.False(total.TryGetProperty("server", out _));

        // A key limited to one server sees that server alone, and totals of it alone.
        var limited = await StatsAsync(statsOnly, calls: 7, "?minutes=60");
        Assert.Equal(60, limited.GetProperty("minutes").GetInt32());
        Assert.Equal(["stats"], limited.GetProperty("servers").EnumerateArray().Select(s => s.GetProperty("server").GetString()));
        Assert.Equal(7, limited.GetProperty("total").GetProperty("calls").GetInt32());
        Assert.Equal(60, limited.GetProperty("total").GetProperty("series").GetArrayLength());
    }

    [Theory]
    [InlineData("?minutes=0", "minutes is the window's length: from 1 to 1440 (a day), not 0.")]
    [InlineData("?minutes=1441", "from 1 to 1440")]
    [InlineData("?minutes=soon", "Failed to bind parameter \"int minutes\" from \"soon\".")]
    public async Task A_window_out_of_range_is_400_saying_what_it_may_be(string query, string detail)
    {
        var (status, problem) = await Gateway.Http.GetJsonAsync($"/servers/stats{query}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(detail, problem.GetProperty("detail").GetString());
    }
}
