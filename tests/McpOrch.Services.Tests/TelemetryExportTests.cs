using System.Net;
using System.Text;

using McpOrch.Testing;

namespace McpOrch.Services.Tests;

public sealed class TelemetryExportTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("orch-otlp-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task With_OTEL_EXPORTER_OTLP_ENDPOINT_set_a_service_exports_its_logs_by_OTLP_under_its_service_name()
    {
        var port = ServiceProcess.FreePort();
        using var collector = new HttpListener { Prefixes = { $"http://127.0.0.1:{port}/" } };
        collector.Start();

        await using var service = ServiceProcess.Start("Dashboard.Web", _folder, new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{port}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = "dashboard-under-test",
        });

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var exported = new StringBuilder();
        // Protobuf carries strings as UTF-8: the resource's service.name and a log line show up in the batches.
        while (!exported.ToString().Contains("dashboard-under-test") || !exported.ToString().Contains("Application started"))
        {
            var context = await collector.GetContextAsync().WaitAsync(timeout.Token);
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body, timeout.Token);
            context.Response.StatusCode = (int)HttpStatusCode.OK;
            context.Response.Close();
            if (context.Request.Url!.AbsolutePath != "/v1/logs")
                continue;
            Assert.Equal("application/x-protobuf", context.Request.ContentType);
            exported.Append(Encoding.UTF8.GetString(body.ToArray()));
        }
    }
}
