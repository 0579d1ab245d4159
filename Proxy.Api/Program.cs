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
builder.ListenOnConfiguredAddress(settings.Options.Server);
builder.AddRequestGuards(settings.Options.Security);
builder.Services.AddProblemDetails();
builder.Services.AddOpenApi();
builder.Services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
    o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
});
builder.AddMcpProxy().WithProxyHttpTransport();
if (mode != ServerMode.Proxy && !builder.TryAddBatch(settings, BatchRoles.Api))
    return 2;

var app = builder.Build();
app.UseRequestGuards(settings.Options.Security);
app.MapDefaultEndpoints();
if (mode != ServerMode.Batch)
    app.MapMcpEndpoints();
app.MapToolsApi();
app.MapServersApi();
if (mode != ServerMode.Proxy)
    app.MapBatchApi();
app.MapOpenApi();
app.MapScalarApiReference("/docs");
app.Run();
return 0;
