var builder = WebApplication.CreateBuilder(args);
if (builder.TryAddMcpOrchConfiguration(args) is null)
    return 2;
builder.AddServiceDefaults();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
return 0;
