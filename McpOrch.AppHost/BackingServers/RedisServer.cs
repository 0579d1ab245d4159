using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpOrch.AppHost.BackingServers;

/// <summary>
/// Redis on 127.0.0.1, in the foreground, without persistence (a cache and a pub/sub bus need none).
/// Stopped with SIGTERM.
/// </summary>
public sealed partial class RedisServer : IBackingServer
{
    const string InstallCommand = "apt-get install -y redis-server";

    readonly ServerProcess _process;
    readonly TimeSpan _shutdownTimeout;
    int _stopRequested;

    RedisServer(ServerProcess process, int port, TimeSpan shutdownTimeout)
    {
        _process = process;
        Port = port;
        _shutdownTimeout = shutdownTimeout;
    }

    public string ResourceName => "redis";

    public string ConnectionName => "redis";

    public int Port { get; }

    /// <summary><c>127.0.0.1:P</c>, the StackExchange.Redis configuration string.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    public IReadOnlyList<int> ProcessIds { get; private set; } = [];

    /// <summary>Starts the server and waits until it answers PING.</summary>
    /// <exception cref="BackingServerException">The binary is missing, or the server did not start (the message holds its last output).</exception>
    public static async Task<RedisServer> StartAsync(RedisServerOptions options, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        logger ??= NullLogger.Instance;
        var executable = ExecutableLookup.Find(options.Executable, InstallCommand);
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(dataDirectory);
        var pidFile = Path.Combine(dataDirectory, "redis.pid");
        await OrphanedServer.StopAsync(pidFile, "redis-server", UnixSignal.Terminate, logger, cancellationToken);

        var port = options.Port ?? LoopbackPort.FindFree();
        var process = ServerProcess.Start("redis", new ProcessStartInfo(executable,
        [
            "--port", port.ToString(), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no",
            "--daemonize", "no", "--dir", dataDirectory, "--pidfile", pidFile,
        ])
        { WorkingDirectory = dataDirectory }, logger);
        var server = new RedisServer(process, port, options.ShutdownTimeout);
        try
        {
            await Readiness.WaitAsync(process, server.AnswersPingAsync, options.StartupTimeout, cancellationToken);
            server.ProcessIds = process.CaptureTree().ProcessIds;
            LogReady(logger, port);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopRequested, 1) == 1)
            return;
        await _process.StopAsync(() => _process.Signal(UnixSignal.Terminate), _shutdownTimeout, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _process.DisposeAsync();
    }

    /// <summary>Sends an inline PING and expects <c>+PONG</c>: the server is loaded and serving commands.</summary>
    async Task<bool> AnswersPingAsync(CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
        var reply = new byte[7];
        await stream.ReadExactlyAsync(reply, cancellationToken);
        return Encoding.ASCII.GetString(reply) == "+PONG\r\n";
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "redis: ready on 127.0.0.1:{Port}")]
    static partial void LogReady(ILogger logger, int port);
}
