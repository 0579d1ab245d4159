using System.Text.Json.Serialization;
using Proxy.Api;
using Proxy.Api.Apis;
using Proxy.Api.Extensions;
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
builder.AddServiceDefaults();
builder.ListenOnConfiguredAddress(settings.Options.Server);
builder.Services.AddProblemDetails();
builder.Services.AddOpenApi();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull);
builder.AddMcpProxy().WithProxyHttpTransport();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapMcpEndpoints();
app.MapToolsApi();
app.MapServersApi();
app.MapOpenApi();
app.MapScalarApiReference("/docs");
app.Run();
return 0;
