using McpOrch.AppHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// Local development: starts the backing servers and prints their connection strings until Ctrl+C.
//   dotnet run --project McpOrch.AppHost [-- --data DIR]
var builder = Host.CreateApplicationBuilder(args);
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMinutes(1));
builder.Services.AddHostedService<LocalBackingServers>();
await builder.Build().RunAsync();
