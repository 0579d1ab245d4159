using McpOrch.ConformanceServer;
using Proxy.Api.Mcp;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Server;

// The fixture of the MCP conformance suite's server scenarios (see tests/conformance/run.sh).
//   --transport stdio (default)     MCP over stdin/stdout; logs go to stderr only.
//   --transport http --port N       Streamable HTTP at http://127.0.0.1:N/mcp, stateful sessions,
//                                   resumable SSE streams, DNS-rebinding protection, and tolerance
//                                   of a session request's older MCP-Protocol-Version header.
var transport = Option("--transport") ?? "stdio";
if (transport == "stdio")
{
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    Conformance.AddServer(builder.Services).WithStdioServerTransport();
    await builder.Build().RunAsync();
}
else if (transport == "http")
{
    var port = int.Parse(Option("--port") ?? "3001", System.Globalization.CultureInfo.InvariantCulture);
    var builder = WebApplication.CreateBuilder();
    builder.Logging.ClearProviders().AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port));
    // SSE streams are kept in a memory cache, so that a client can resume one with Last-Event-ID (server-sse-polling);
    // WaitingEventStreamStore makes such a resumption wait for the answer that is not there yet.
    builder.Services.AddDistributedMemoryCache();
    builder.Services.AddHttpContextAccessor();
    Conformance.AddServer(builder.Services)
        .WithHttpTransport(o => o.SessionMode = HttpServerSessionMode.Stateful)
        .WithDistributedCacheEventStreamStore();
    builder.Services.AddSingleton<DistributedCacheEventStreamStore>();
    builder.Services.AddSingleton<ISseEventStreamStore>(s => new WaitingEventStreamStore(s.GetRequiredService<DistributedCacheEventStreamStore>()));
    var app = builder.Build();
    app.Use(LocalhostOnly.Check);
    app.Use(SessionProtocolVersion.Tolerate);
    app.MapMcp("/mcp");
    await app.RunAsync();
}
else
{
    Console.Error.WriteLine($"Unknown transport '{transport}': use stdio or http.");
    return 2;
}
return 0;

string? Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
