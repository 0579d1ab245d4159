using System.Diagnostics;
using McpOrch.Bench.Processes;
using ModelContextProtocol.Client;

namespace McpOrch.Bench.Paths;

/// <summary>Paths B to E: a gateway process in front of server-everything, reached over Streamable HTTP on loopback.</summary>
public sealed class HttpGatewayPath : BenchPath
{
    static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    readonly GatewayProcess _process;
    readonly Uri _endpoint;
    readonly string _logPath;

    HttpGatewayPath(string key, string name, string tool, GatewayProcess process, Uri endpoint, string logPath, string protocolVersion)
    {
        ClientProtocolVersion = protocolVersion;
        Key = key;
        Name = name;
        Tool = tool;
        _process = process;
        _endpoint = endpoint;
        _logPath = logPath;
    }

    public override string Key { get; }
    public override string Name { get; }
    public override string Tool { get; }
    public override string ClientProtocolVersion { get; }
    public override int? GatewayPid => _process.Pid;
    public override IReadOnlyList<string> TypeScriptTarget => ["--url", _endpoint.ToString()];

    /// <summary>Starts the gateway and returns once a session can call tools/list and sees <paramref name="tool"/>.</summary>
    public static async Task<HttpGatewayPath> StartAsync(string key, string name, string tool, ProcessStartInfo startInfo,
        Uri endpoint, string logPath, string pidFile, CancellationToken cancellationToken, string protocolVersion = ProtocolVersion)
    {
        var path = new HttpGatewayPath(key, name, tool, GatewayProcess.Start(startInfo, logPath, pidFile), endpoint, logPath, protocolVersion);
        try
        {
            await path.WaitUntilReadyAsync(cancellationToken);
            return path;
        }
        catch
        {
            await path.DisposeAsync();
            throw;
        }
    }

    public override async Task<BenchSession> ConnectAsync(CancellationToken cancellationToken)
    {
        // Node's HTTP servers close a keep-alive connection after 5 s idle; a pooled connection reused right then is
        // reset. Sessions of the multi-session phase open one by one (supergateway starts a process for each), so the
        // first ones idle that long: retire idle connections well before the server does.
        var http = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(2) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Name = Name,
            Endpoint = _endpoint,
            TransportMode = HttpTransportMode.StreamableHttp,
        }, http, ownsHttpClient: true);
        return new BenchSession(await McpClient.CreateAsync(transport, ClientOptions(), cancellationToken: cancellationToken), null);
    }

    async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        string? lastError = null;
        while (deadline.Elapsed < ReadyTimeout)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"{Name} exited during start-up; see {_logPath}");
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(TimeSpan.FromSeconds(10));
                await using var session = await ConnectAsync(attempt.Token);
                var tools = await session.Client.ListToolsAsync(cancellationToken: attempt.Token);
                if (tools.Any(t => t.Name == Tool))
                    return;
                lastError = $"no tool '{Tool}' among {tools.Count} tools";
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                lastError = e.Message;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
        throw new TimeoutException($"{Name} was not ready within {ReadyTimeout.TotalSeconds:0} s ({lastError}); see {_logPath}");
    }

    public override ValueTask DisposeAsync() => _process.DisposeAsync();
}
