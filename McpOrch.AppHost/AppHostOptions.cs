namespace McpOrch.AppHost;

/// <summary>What the AppHost runs, and where.</summary>
public sealed class AppHostOptions
{
    /// <summary>The single-process mode (Proxy.Api hosting every batch role) and the dashboard; no backing servers.</summary>
    public bool Embedded { get; init; }

    /// <summary>How many Executor.Worker replicas (<c>--executors</c>).</summary>
    public int Executors { get; init; } = 2;

    /// <summary>Where the backing servers (and the embedded mode's database) keep their data: <c>.mcp-orch/</c> in the repository by default.</summary>
    public required string DataRoot { get; init; }

    /// <summary>The folder the services run in: where they find mcp-config.json and config.yaml.</summary>
    public required string WorkingDirectory { get; init; }

    /// <summary>Proxy.Api's port (<c>--proxy-port</c>, 0 for a free one).</summary>
    public int ProxyPort { get; init; } = 8080;

    /// <summary>Dashboard.Web's port (<c>--dashboard-port</c>, 0 for a free one).</summary>
    public int DashboardPort { get; init; } = 8090;

    /// <summary>Connection strings given by configuration, by name (<c>orchdb</c>, <c>redis</c>, <c>messaging</c>): used as they are, not started.</summary>
    public IReadOnlyDictionary<string, string> ConnectionStrings { get; init; } = new Dictionary<string, string>();

    /// <summary>Where the services send telemetry (OTLP), when a collector or an Aspire dashboard is configured.</summary>
    public string? OtlpEndpoint { get; init; }

    /// <summary><c>grpc</c> (the exporters' default) or <c>http/protobuf</c>.</summary>
    public string? OtlpProtocol { get; init; }

    /// <summary>More command-line arguments for every service, e.g. <c>--config path/mcp-config.json</c>.</summary>
    public IReadOnlyList<string> ServiceArguments { get; init; } = [];
}
