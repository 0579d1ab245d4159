using Dashboard.Web.Api;

namespace Dashboard.Web.Tests;

public sealed class AuditQueryTests
{
    [Fact]
    public void Only_the_filters_given_are_in_the_query_trimmed_escaped_and_times_in_UTC()
    {
        var query = ProxyApi.AuditQuery(new AuditFilter(Caller: " ci key ", Tool: "everything.echo", Outcome: "",
            From: new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.FromHours(1))));

        Assert.Equal("caller=ci%20key&tool=everything.echo&from=2026-12-07T09%3A00%3A00.0000000Z", query);
    }

    [Fact]
    public void No_filter_makes_an_empty_query() => Assert.Equal("", ProxyApi.AuditQuery(new AuditFilter()));
}
