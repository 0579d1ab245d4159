using McpOrch.AppHost;
using McpOrch.LocalServers;
using McpOrch.AppHost.Resources;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// The whole system, in the Aspire dashboard:
//   dotnet run --project McpOrch.AppHost [-- --executors 3 --proxy-port 8080 --dashboard-port 8090 --data DIR --config-yaml FILE]
//   dotnet run --project McpOrch.AppHost -- --embedded      one process (SQLite) and the dashboard: no backing servers
var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
{
    Args = AppHostSettings.NormaliseSwitches(args),
    DashboardApplicationName = "MCP Orch",
});
// Aspire's resource service answers the Aspire dashboard's gRPC calls in this process: at Information each request
// is two lines, hundreds a minute while a dashboard is open, and the guide below would scroll away.
builder.Services.AddLogging(logging => logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning));
AppHostSettings settings;
IResourceBuilder<IResourceWithConnectionString>? database = null, cache = null, messaging = null;
try
{
    settings = AppHostSettings.Read(builder.Configuration);
    if (!settings.Embedded)
        (database, cache, messaging) = BackingServers(settings.DataRoot);
}
catch (Exception e) when (e is BackingServerException or InvalidOperationException)
{
    // One message a person can act on, not a stack trace, before anything has started.
    Console.Error.WriteLine($"McpOrch.AppHost: {e.Message}");
    if (e is BackingServerException)
        Console.Error.WriteLine("Without PostgreSQL, Redis and RabbitMQ, run everything in one process: dotnet run --project McpOrch.AppHost -- --embedded");
    return 1;
}

var proxy = builder.AddProject<Projects.Proxy_Api>("proxy-api")
    .WithHttpEndpoint(port: settings.ProxyPort)
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health")
    .WithReloadCommand()
    .WithArgs([.. settings.ServiceArguments]);
if (settings.Embedded)
    proxy.WithEnvironment("MCP_ORCH_DATA_DIR", Path.Combine(settings.DataRoot, "embedded"));
else
{
    // Proxy.Api migrates the database; the workers start once it is healthy.
    proxy.WithBackingServers(database!, cache!, messaging!);
    builder.AddProject<Projects.Planner_Worker>("planner-worker")
        .WithHttpEndpoint()
        .WithHttpHealthCheck("/health")
        .WithArgs([.. settings.ServiceArguments])
        .WithBackingServers(database!, cache!, messaging!)
        .WaitFor(proxy);
    builder.AddProject<Projects.Executor_Worker>("executor-worker")
        .WithReplicas(settings.Executors)
        .WithAnnotation(new RestartOnExitAnnotation())
        .WithHttpEndpoint()
        .WithHttpHealthCheck("/health")
        .WithArgs([.. settings.ServiceArguments])
        .WithBackingServers(database!, cache!, messaging!)
        .WaitFor(proxy);
}

var dashboard = builder.AddProject<Projects.Dashboard_Web>("dashboard-web")
    .WithEndpoint("http", endpoint => endpoint.Port = settings.DashboardPort)
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health")
    .WithReference(proxy)
    .WaitFor(proxy);

builder.Services.AddSingleton<FirstKeyBlock>();
builder.Services.AddSingleton(new ConsoleGuide.Endpoints(
    settings.Embedded ? "embedded (one process, SQLite)" : $"distributed, {settings.Executors} executors",
    proxy.GetEndpoint("http"), dashboard.GetEndpoint("http")));
builder.Eventing.Subscribe<BeforeStartEvent>((e, cancellationToken) =>
{
    var stopping = e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
    _ = ActivatorUtilities.CreateInstance<ConsoleGuide>(e.Services).RunAsync(stopping);
    _ = ActivatorUtilities.CreateInstance<CrashedReplicaRestarter>(e.Services).RunAsync(stopping);
    return Task.CompletedTask;
});

await builder.Build().RunAsync();
return 0;

// PostgreSQL (database orchdb), Redis and RabbitMQ under the names the services read their connection strings by:
// given in configuration (ConnectionStrings__orchdb, …) they are used as they are; in publish mode (the manifest azd
// reads) they are Aspire's container resources; in run mode they run from the local binaries, no Docker needed.
(IResourceBuilder<IResourceWithConnectionString>, IResourceBuilder<IResourceWithConnectionString>, IResourceBuilder<IResourceWithConnectionString>) BackingServers(string dataRoot)
{
    bool Given(string name) => !string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(name));
    if (builder.ExecutionContext.IsPublishMode)
        return (builder.AddPostgres("postgres").AddDatabase("orchdb"), builder.AddRedis("redis"), builder.AddRabbitMQ("messaging"));
    return (
        Given("orchdb") ? builder.AddConnectionString("orchdb") : builder.AddLocalPostgres("postgres", "orchdb", Path.Combine(dataRoot, "postgres")),
        Given("redis") ? builder.AddConnectionString("redis") : builder.AddLocalRedis("redis", Path.Combine(dataRoot, "redis")),
        Given("messaging") ? builder.AddConnectionString("messaging") : builder.AddLocalRabbitMq("messaging", Path.Combine(dataRoot, "messaging")));
}
