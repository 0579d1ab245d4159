using System.Text.Json.Serialization;
using McpOrch.Core.Batch;
using McpOrch.Core.Configuration;
using Proxy.Api;
using Proxy.Api.Apis;
using Proxy.Api.Extensions;
using Proxy.Api.Security;
using Scalar.AspNetCore;

if (CommandLine.WantsHelp(args))
{
    Console.Out.Write(CommandLine.Help);
    return 0;
}
if (CommandLine.WantsStdio(args))
    return await StdioProxy.RunAsync(args);

var builder = WebApplication.CreateBuilder(args);
if (builder.TryAddMcpOrchConfiguration(args) is not { } settings)
    return 2;
var mode = settings.Options.Server.Mode;
builder.AddServiceDefaults();
var security = settings.Options.Security;
builder.ListenOnConfiguredAddress(settings.Options.Server);
if (SafeDefaults.Problems(builder.Configuration, settings.Options) is { Count: > 0 } unsafeSettings)
{
    foreach (var problem in unsafeSettings)
        Console.Error.WriteLine($"MCP Orch cannot start: {problem}");
    return 2;
}
builder.AddRequestGuards(security);
builder.AddOrchAuthentication(security);
builder.Services.AddProblemDetails();
builder.Services.AddOpenApi(options => options.DescribeCredentials());
builder.Services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
    o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
});
if (!builder.TryAddOrchDatabase(settings, migrate: true))
    return 2;
if (security.EnableAuth)
    builder.Services.AddHostedService<FirstKey>();
builder.AddMcpProxy().WithProxyHttpTransport(settings.Options.Server.LegacySse);
builder.Services.AddHttpForwarder();
if (mode != ServerMode.Proxy && !builder.TryAddBatch(settings, BatchRoles.Api))
    return 2;

var app = builder.Build();
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
app.MapToolsApi();
app.MapServersApi();
if (mode != ServerMode.Proxy)
    app.MapBatchApi();
app.MapAdminApi();
app.MapOpenApi();
app.MapScalarApiReference("/docs");
app.Run();
return 0;
