using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpOrch.LocalServers;

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
    public string ConnectionString => ConnectionStringFor(Port);

    /// <summary>The StackExchange.Redis configuration string of a server on <paramref name="port"/>.</summary>
    public static string ConnectionStringFor(int port) => $"127.0.0.1:{port}";

    public IReadOnlyList<int> ProcessIds { get; private set; } = [];

    /// <summary>Starts the server and waits until it answers PING.</summary>
    /// <exception cref="BackingServerException">The binary is missing, or the server did not start (the message holds its last output).</exception>
    public static async Task<RedisServer> StartAsync(RedisServerOptions options, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        logger ??= NullLogger.Instance;
        var port = options.Port ?? LoopbackPort.FindFree();
        var command = Command(options, port);
        await PrepareAsync(options, logger, cancellationToken);
        var process = ServerProcess.Start("redis", command.ToStartInfo(), logger);
        var server = new RedisServer(process, port, options.ShutdownTimeout);
        try
        {
            await Readiness.WaitAsync(process, ct => AnswersPingAsync(port, ct), options.StartupTimeout, cancellationToken);
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

    /// <summary>The server's command for <paramref name="port"/>: in the foreground, no persistence.</summary>
    /// <exception cref="BackingServerException">The binary is missing; the message says what to install.</exception>
    public static ServerCommand Command(RedisServerOptions options, int port)
    {
        var executable = ExecutableLookup.Find(options.Executable, InstallCommand);
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        return new ServerCommand(executable,
        [
            "--port", port.ToString(), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no",
            "--daemonize", "no", "--dir", dataDirectory, "--pidfile", PidFile(dataDirectory),
        ], dataDirectory);
    }

    /// <summary>Creates the data directory and stops a server an earlier run left running there.</summary>
    public static async Task PrepareAsync(RedisServerOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(dataDirectory);
        await OrphanedServer.StopAsync(PidFile(dataDirectory), "redis-server", UnixSignal.Terminate, logger, cancellationToken);
    }

    /// <summary>Sends an inline PING to the server on <paramref name="port"/> and expects <c>+PONG</c>: it is loaded and serving commands.</summary>
    public static async Task<bool> AnswersPingAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
        var reply = new byte[7];
        await stream.ReadExactlyAsync(reply, cancellationToken);
        return Encoding.ASCII.GetString(reply) == "+PONG\r\n";
    }

    static string PidFile(string dataDirectory) => Path.Combine(dataDirectory, "redis.pid");

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

    [LoggerMessage(Level = LogLevel.Debug, Message = "redis: ready on 127.0.0.1:{Port}")]
    static partial void LogReady(ILogger logger, int port);
}
