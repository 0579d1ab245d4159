using Proxy.Api.Extensions;

var builder = WebApplication.CreateBuilder(args);
if (builder.TryAddMcpOrchConfiguration(args) is not { } settings)
    return 2;
builder.AddServiceDefaults();
builder.ListenOnConfiguredAddress(settings.Options.Server);

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
return 0;
