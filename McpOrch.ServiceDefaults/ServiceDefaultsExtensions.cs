using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every MCP Orch service shares, in the shape of an Aspire ServiceDefaults project:
/// OpenTelemetry, health endpoints, service discovery and resilient HttpClients.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";
    const string LiveTag = "live";

    /// <summary>Activity sources and meters of our own and of libraries that emit their own.</summary>
    static readonly string[] TelemetrySources = ["McpOrch.*", "MassTransit"];

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // One line per request is noise in a gateway's log; appsettings or Logging__LogLevel__Microsoft.AspNetCore can ask for it.
        if (builder.Configuration["Logging:LogLevel:Microsoft.AspNetCore"] is null)
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    /// <summary>
    /// Traces, metrics and logs by OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the AppHost sets it). Without an
    /// exporter nothing is collected: every call would pay for spans nobody reads, and a stdio start for the pipeline.
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        if (!builder.ExportsTelemetry())
            return builder;
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(TelemetrySources))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(TelemetrySources)
                .AddAspNetCoreInstrumentation(o =>
                    // Probes every few seconds would drown the traces that matter.
                    o.Filter = context => !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                        && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath))
                .AddHttpClientInstrumentation())
            .UseOtlpExporter();
        return builder;
    }

    /// <summary>
    /// Whether telemetry leaves the process (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set). Client integrations that bring
    /// their own tracing and metrics (Aspire's Npgsql and Redis) switch them off otherwise, or they would collect for nobody.
    /// </summary>
    public static bool ExportsTelemetry(this IHostApplicationBuilder builder) =>
        !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// Maps <c>/health</c> (every check) and <c>/alive</c> (liveness only) in every environment:
    /// the AppHost and Azure Container Apps probe them.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath);
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains(LiveTag) });
        return app;
    }
}
