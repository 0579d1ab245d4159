using System.Text.Json.Serialization;
using McpOrch.Core.Batch;
using McpOrch.Core.Configuration;
using McpOrch.Core.Upstreams;
using Microsoft.AspNetCore.Hosting.Server;
using Proxy.Api;
using Proxy.Api.Apis;
using Proxy.Api.Extensions;
using Proxy.Api.Security;
using Proxy.Api.Stdio;
using Scalar.AspNetCore;

if (CommandLine.WantsHelp(args))
{
    Console.Out.Write(CommandLine.Help);
    return 0;
}

var builder = WebApplication.CreateBuilder(args);
if (builder.TryAddMcpOrchConfiguration(args) is not { } settings)
    return 2;
var served = ServedTransports.Choose(settings.Options.Server, builder.Configuration, ServedTransports.StartedByClient);
if (served.Stdio)
    builder.KeepStandardOutputForMcp();
var mode = settings.Options.Server.Mode;
builder.AddServiceDefaults();
var security = settings.Options.Security;
if (served.Http)
    builder.ListenOnConfiguredAddress(settings.Options.Server);
else
    builder.Services.AddSingleton<IServer, NoHttpServer>();
if (SafeDefaults.Problems(builder.Configuration, settings.Options) is { Count: > 0 } unsafeSettings)
{
    foreach (var problem in unsafeSettings)
        Console.Error.WriteLine($"MCP Orch cannot start: {problem}");
    return 2;
}

// The MCP proxy first: its servers start connecting, and a stdio session answers, while the database is migrated.
var mcp = builder.AddMcpProxy();
if (served.Stdio && !mcp.TryServeStdio(settings))
    return 2;
if (served.Http)
    mcp.WithProxyHttpTransport(settings.Options.Server.LegacySse);
if (!builder.TryAddOrchDatabase(settings, migrate: true))
    return 2;
if (served.Http)
{
    builder.AddRequestGuards(security);
    builder.AddOrchAuthentication(security);
    builder.AddProblemBodies();
    builder.Services.AddOpenApi(options => options.DescribeCredentials());
    builder.Services.ConfigureHttpJsonOptions(o =>
    {
        o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
    });
    if (security.EnableAuth)
        builder.Services.AddHostedService(s => ActivatorUtilities.CreateInstance<FirstKey>(s, served.Stdio));
    builder.Services.AddHttpForwarder();
    if (mode != ServerMode.Proxy && !builder.TryAddBatch(settings, BatchRoles.Api))
        return 2;
}

var app = builder.Build();
// A stdio session answers at once, and the MCP servers, which take longest to be ready, start connecting now, while
// the host starts the rest (the database first).
app.StartStdioSession();
await app.Services.GetRequiredService<UpstreamRegistry>().StartAsync(CancellationToken.None);
if (served.Http)
{
    app.UseProblemBodies(settings.Options);
    app.UseRequestGuards(security);
    app.UseAuthentication();
    app.UseAuthorization();
    app.MapDefaultEndpoints();
    if (mode != ServerMode.Batch)
    {
        app.MapMcpEndpoints();
        app.MapPassthroughApi();
    }
    app.MapCallerApi();
    app.MapToolsApi();
    app.MapServersApi();
    if (mode != ServerMode.Proxy)
        app.MapBatchApi();
    app.MapAdminApi();
    app.MapOpenApi();
    app.MapScalarApiReference("/docs");
}
var stopping = app.Lifetime.ApplicationStopping;
try
{
    await app.RunAsync();
}
catch (OperationCanceledException) when (stopping.IsCancellationRequested)
{
    // Asked to stop while starting (an MCP client closed stdin at once, or Ctrl+C): nothing went wrong.
}
return 0;
