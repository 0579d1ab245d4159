using McpOrch.TestServer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = Host.CreateApplicationBuilder(args);
builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
builder.Services.AddMcpServer(o =>
    {
        o.ServerInfo = new() { Name = "mcp-orch-test-server", Version = "1.0.0" };
        // --revision=2026-07-28 makes a server of that revision alone: it refuses initialize.
        o.ProtocolVersion = builder.Configuration["revision"];
    })
    .WithStdioServerTransport()
    .WithTools<TestTools>();
await builder.Build().RunAsync();
