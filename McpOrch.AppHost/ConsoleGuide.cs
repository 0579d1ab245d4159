using Microsoft.Extensions.Configuration;
using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace McpOrch.AppHost;

/// <summary>
/// What a person needs once everything is up, printed after Aspire's own lines: where the Aspire dashboard, the MCP
/// endpoint, the REST API and the MCP Orch dashboard are, and the API key Proxy.Api made on its first start (read from
/// its console log, where it is otherwise lost among the log lines). A resource that stops before everything is up (a
/// bad setting, say) has its last output printed, so that the reason is not only in the dashboard. It runs from
/// Aspire's <c>BeforeStartEvent</c>: a hosted service would only start once every resource has (never, if one fails).
/// </summary>
public sealed class ConsoleGuide(
    ConsoleGuide.Endpoints endpoints,
    ResourceNotificationService notifications,
    ResourceLoggerService logs,
    DistributedApplicationModel model,
    IConfiguration configuration,
    FirstKeyBlock firstKey)
{
    /// <summary>The endpoints to show, and the line that says how the system runs.</summary>
    public sealed record Endpoints(string Summary, EndpointReference Proxy, EndpointReference Dashboard);

    readonly FirstKeyBlock _firstKey = firstKey;

    /// <summary>Waits for the system to come up and prints the guide; ends when <paramref name="stoppingToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            await GuideAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    async Task GuideAsync(CancellationToken stoppingToken)
    {
        var reading = ReadProxyLogAsync(stoppingToken);
        await WaitUntilUpAsync(stoppingToken);

        var url = endpoints.Proxy.Url.TrimEnd('/');
        List<string> lines =
        [
            "",
            $"MCP Orch is running: {endpoints.Summary}",
            .. AspireDashboard() is { } aspire ? [$"  Aspire dashboard    {aspire}"] : Array.Empty<string>(),
            $"  MCP endpoint        {url}/mcp",
            $"  REST and docs       {url}/tools, {url}/docs, {url}/batch",
            $"  MCP Orch dashboard  {endpoints.Dashboard.Url.TrimEnd('/')}/",
        ];
        // The key block comes a moment before "healthy"; wait a little for the reader to catch up.
        await Task.Delay(TimeSpan.FromMilliseconds(500), stoppingToken);
        lock (_firstKey)
            if (_firstKey.Lines is { } key)
                lines.AddRange(["", .. key]);
        lines.AddRange(["", "Ctrl+C stops everything."]);
        Console.WriteLine(string.Join(Environment.NewLine, lines));
        await reading;
    }

    /// <summary>
    /// Waits until every service is healthy (of replicas, one). A resource that stops before then (a bad setting, a port taken
    /// meanwhile) would leave the rest waiting for it in silence: its last output is printed, once.
    /// </summary>
    async Task WaitUntilUpAsync(CancellationToken stoppingToken)
    {
        var waitingFor = model.Resources.OfType<ProjectResource>().Select(r => r.Name).ToHashSet();
        HashSet<string> reported = [];
        await foreach (var e in notifications.WatchAsync(stoppingToken))
        {
            if (e.Snapshot.HealthStatus == HealthStatus.Healthy && waitingFor.Remove(e.Resource.Name) && waitingFor.Count == 0)
                return;
            if (KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text) && reported.Add(e.ResourceId))
            {
                List<string> lines = [];
                await foreach (var batch in logs.GetAllAsync(e.ResourceId).WithCancellation(stoppingToken))
                    lines.AddRange(batch.Select(l => "  " + WithoutTimestamp(l.Content)));
                Console.Error.WriteLine(string.Join(Environment.NewLine,
                    [$"{e.ResourceId} stopped (exit code {e.Snapshot.ExitCode?.ToString() ?? "none"}) before MCP Orch was up; its last output:", .. lines.TakeLast(20),
                    $"What waits for it keeps waiting: fix the cause and start {e.Resource.Name} again from the Aspire dashboard, or stop everything with Ctrl+C."]));
            }
        }
    }

    async Task ReadProxyLogAsync(CancellationToken stoppingToken)
    {
        await foreach (var batch in logs.WatchAsync(endpoints.Proxy.Resource).WithCancellation(stoppingToken))
            foreach (var line in batch)
            {
                var content = WithoutTimestamp(line.Content);
                lock (_firstKey)
                    _firstKey.Read(content);
            }
    }

    /// <summary>A console log line as the service wrote it: Aspire puts the time it was read in front.</summary>
    static string WithoutTimestamp(string content) =>
        content.IndexOf(' ') is > 0 and var space
            && DateTime.TryParse(content.AsSpan(0, space), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _)
            ? content[(space + 1)..]
            : content;

    /// <summary>The Aspire dashboard's address with its login token, or null when it is not running.</summary>
    string? AspireDashboard()
    {
        if (configuration["ASPNETCORE_URLS"]?.Split(';', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() is not { } address)
            return null;
        return configuration["AppHost:BrowserToken"] is { Length: > 0 } token ? $"{address.TrimEnd('/')}/login?t={token}" : address;
    }
}
