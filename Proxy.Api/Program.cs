using System.Text.Json.Serialization;
using Proxy.Api.Apis;
using Proxy.Api.Extensions;

var builder = WebApplication.CreateBuilder(args);
if (builder.TryAddMcpOrchConfiguration(args) is not { } settings)
    return 2;
builder.AddServiceDefaults();
builder.ListenOnConfiguredAddress(settings.Options.Server);
builder.Services.AddProblemDetails();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull);
builder.AddMcpProxy();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapMcp("/mcp");
app.MapToolsApi();
app.MapServersApi();
app.Run();
return 0;
