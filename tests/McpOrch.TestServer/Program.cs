using McpOrch.TestServer;
using ModelContextProtocol.Protocol;
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
        o.Capabilities = new() { Resources = new() { Subscribe = true } };
        o.Handlers.SubscriptionsListenHandler = TestListeners.ListenAsync;
    })
    .WithStdioServerTransport()
    .WithTools<TestTools>()
    .WithTools<TestListeners>()
    .WithResources<TestListeners>()
    // 2025 clients subscribe with resources/subscribe: accepted, though only listen streams hear of updates here.
    .WithSubscribeToResourcesHandler((_, _) => ValueTask.FromResult(new EmptyResult()))
    .WithUnsubscribeFromResourcesHandler((_, _) => ValueTask.FromResult(new EmptyResult()));
await builder.Build().RunAsync();
// --linger: keeps running after its stdin closed, as some servers do (one that ignores the end of its input, or is
// still busy): only a signal ends it.
if (builder.Configuration["linger"] is "true")
    await Task.Delay(Timeout.Infinite);
