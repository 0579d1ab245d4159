using McpOrch.AppHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// The whole system for local development, the way an Aspire AppHost runs it:
//   dotnet run --project McpOrch.AppHost [-- --executors 2 --proxy-port 8080 --dashboard-port 8090 --data DIR]
//   dotnet run --project McpOrch.AppHost -- --embedded      one process (SQLite) and the dashboard: only the .NET SDK needed
var builder = Host.CreateApplicationBuilder(args.Select(a => a == "--embedded" ? "--embedded=true" : a).ToArray());
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMinutes(1));
builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
builder.Services.AddHostedService<AppHostService>();
await builder.Build().RunAsync();
