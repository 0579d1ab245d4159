using McpOrch.Core.Batch;

var builder = WebApplication.CreateBuilder(args);
if (builder.TryAddMcpOrchConfiguration(args) is not { } settings)
    return 2;
builder.AddServiceDefaults();
if (!builder.TryAddBatch(settings, BatchRoles.Executor))
    return 2;

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
return 0;
