using McpOrch.AppHost.BackingServers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace McpOrch.AppHost;

/// <summary>
/// Runs <see cref="McpOrchApp"/> for <c>dotnet run --project McpOrch.AppHost</c>: a table of the resources whenever
/// one changes, then every service's output prefixed with its name; Ctrl+C or SIGTERM stops everything in reverse order.
/// </summary>
public sealed class AppHostService(IConfiguration configuration, IHostApplicationLifetime lifetime, ILoggerFactory loggers) : IHostedService
{
    public const string DataOption = "data";
    public const string DefaultDataFolder = ".mcp-orch";

    readonly Lock _console = new();
    readonly FirstKeyBlock _firstKey = new();
    McpOrchApp? _app;
    string _lastTable = "";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var options = Options();
            Console.WriteLine($"MCP Orch AppHost: {(options.Embedded ? "embedded (one process, SQLite)" : $"distributed, {options.Executors} executors")}; data in {options.DataRoot}");
            _app = new McpOrchApp(options, loggers, WriteLine, PrintTable);
            await _app.StartAsync(cancellationToken);
            lock (_console)
            {
                Console.WriteLine($"MCP endpoint  {_app.Proxy.Url}mcp");
                Console.WriteLine($"REST and docs {_app.Proxy.Url}tools, {_app.Proxy.Url}docs, {_app.Proxy.Url}batch");
                Console.WriteLine($"Dashboard     {_app.Services[^1].Url}");
                if (_firstKey.Lines is { } key)
                    Console.WriteLine(string.Join(Environment.NewLine, ["", .. key, ""]));
                Console.WriteLine("Ctrl+C stops everything.");
            }
        }
        catch (Exception e) when (e is BackingServerException or InvalidOperationException)
        {
            // One message a person can act on, not a stack trace; what did start was stopped.
            Console.Error.WriteLine($"McpOrch.AppHost: {e.Message}");
            if (e is BackingServerException && !configuration.GetValue<bool>("embedded"))
                Console.Error.WriteLine("Without PostgreSQL, Redis and RabbitMQ, run everything in one process: dotnet run --project McpOrch.AppHost -- --embedded");
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
            await _app.StopAsync(cancellationToken);
    }

    AppHostOptions Options()
    {
        var data = configuration[DataOption] is { Length: > 0 } folder
            ? Path.GetFullPath(folder)
            : Path.Combine(RepositoryRoot.TryFind(Environment.CurrentDirectory, AppContext.BaseDirectory)
                ?? throw new InvalidOperationException($"{RepositoryRoot.SolutionFileName} was not found above {Environment.CurrentDirectory}: run from inside the repository or pass --{DataOption} DIR."),
                DefaultDataFolder);
        return new AppHostOptions
        {
            Embedded = configuration.GetValue<bool>("embedded"),
            Executors = configuration.GetValue("executors", 2),
            DataRoot = data,
            WorkingDirectory = Environment.CurrentDirectory,
            ProxyPort = configuration.GetValue("proxy-port", 8080),
            DashboardPort = configuration.GetValue("dashboard-port", 8090),
            ConnectionStrings = configuration.GetSection("ConnectionStrings").GetChildren()
                .Where(c => c.Value is { Length: > 0 }).ToDictionary(c => c.Key, c => c.Value!),
            // An Aspire dashboard started standalone takes OTLP here; a collector's endpoint works the same.
            OtlpEndpoint = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? configuration["DOTNET_DASHBOARD_OTLP_ENDPOINT_URL"],
            OtlpProtocol = configuration["OTEL_EXPORTER_OTLP_PROTOCOL"],
            // The services' own settings files, as mcp-orch takes them.
            ServiceArguments = [.. new[] { "config", "config-yaml" }
                .Where(name => configuration[name] is { Length: > 0 })
                .SelectMany(name => new[] { $"--{name}", Path.GetFullPath(configuration[name]!) })],
        };
    }

    void WriteLine(string resource, string line)
    {
        lock (_console)
        {
            Console.WriteLine($"{resource,-18}| {line}");
            if (resource == McpOrchApp.ProxyResource)
                _firstKey.Read(line);
        }
    }

    void PrintTable()
    {
        var rows = _app?.Resources ?? [];
        var table = string.Join("\n", rows.Select(r =>
            $"  {r.Name,-18} {r.State,-9} {(r.Pid is { } pid ? $"pid {pid}" : ""),-11} {r.Url}{(r.Restarts > 0 ? $"  restarts {r.Restarts}" : "")}{(r.Detail is { } d ? $"  ({d})" : "")}"));
        lock (_console)
        {
            if (table == _lastTable || table.Length == 0)
                return;
            _lastTable = table;
            Console.WriteLine($"── resources ─────────────────────────────────────────────\n{table}");
        }
    }
}
