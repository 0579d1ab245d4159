using System.Text.Json.Nodes;
using McpOrch.Testing;

namespace Proxy.Api.Tests;

/// <summary>What the proxy tells an OpenTelemetry collector about a tool call.</summary>
public sealed class TelemetryTests(ProxyFixture fixture)
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_tool_call_is_a_span_named_for_its_server_and_tool_inside_the_request_s_trace()
    {
        using var collector = new OtlpReceiver();
        await using var proxy = await ProxyUnderTest.StartAsync(
            new JsonObject { ["everything"] = ProxyUnderTest.Stdio(fixture.Servers.Everything()) },
            environment: new Dictionary<string, string>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_SERVICE_NAME"] = "proxy-under-test",
            });

        using var response = await proxy.Http.PostAsync("/tools/everything.echo",
            new StringContent("""{"message": "traced"}""", System.Text.Encoding.UTF8, "application/json"), Cancellation);
        response.EnsureSuccessStatusCode();

        for (var deadline = DateTime.UtcNow.AddSeconds(20); ; await Task.Delay(200, Cancellation))
        {
            var spans = collector.Spans;
            var call = spans.FirstOrDefault(s => s.Name == "tools/call everything.echo");
            var request = spans.FirstOrDefault(s => s.Name == "POST /tools/{name}");
            if (call is not null && request is not null)
            {
                Assert.Equal(("proxy-under-test", request.TraceId, request.SpanId), (call.Service, call.TraceId, call.ParentSpanId));
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, "spans received: " + string.Join(", ", spans.Select(s => s.Name)));
        }
    }
}
