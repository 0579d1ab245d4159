using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace McpOrch.LocalServers;

/// <summary>
/// RabbitMQ on 127.0.0.1 with the default <c>guest</c> user (allowed from loopback), in a private
/// environment: its own HOME, database, logs, configuration and Erlang port mapper (epmd). Erlang
/// would otherwise daemonise a shared epmd that outlives the broker and cannot be stopped by pid.
/// The start script traps SIGTERM and stops the broker cleanly, so that is how it is stopped.
/// </summary>
public sealed partial class RabbitMqServer : IBackingServer
{
    const string InstallCommand = "apt-get install -y rabbitmq-server";

    // The configuration is ours and rewritten on each start: logs go to stdout, where the launcher reads them.
    const string Configuration = """
        # Written by McpOrch.AppHost on every start: a private broker for local development and tests.
        log.console = true
        log.console.level = info
        log.console.use_colors = off
        log.file = false
        """;

    readonly ServerProcess _broker;
    readonly ServerProcess _epmd;
    readonly string _epmdPidFile;
    readonly TimeSpan _shutdownTimeout;
    int _stopRequested;

    RabbitMqServer(ServerProcess broker, ServerProcess epmd, string epmdPidFile, int port, int epmdPort, int distributionPort, string nodeName, TimeSpan shutdownTimeout)
    {
        _broker = broker;
        _epmd = epmd;
        _epmdPidFile = epmdPidFile;
        Port = port;
        EpmdPort = epmdPort;
        DistributionPort = distributionPort;
        NodeName = nodeName;
        _shutdownTimeout = shutdownTimeout;
    }

    public string ResourceName => "messaging";

    public string ConnectionName => "messaging";

    /// <summary>The AMQP port.</summary>
    public int Port { get; }

    /// <summary>The private epmd's port: set it as ERL_EPMD_PORT to reach the node with <c>rabbitmqctl -n NodeName</c>.</summary>
    public int EpmdPort { get; }

    /// <summary>The Erlang distribution port of the node.</summary>
    public int DistributionPort { get; }

    public string NodeName { get; }

    /// <summary><c>amqp://guest:guest@127.0.0.1:P/</c></summary>
    public string ConnectionString => ConnectionStringFor(Port);

    /// <summary>The AMQP URI of a broker on <paramref name="port"/>, as the default user <c>guest</c> (allowed from loopback).</summary>
    public static string ConnectionStringFor(int port) => $"amqp://guest:guest@127.0.0.1:{port}/";

    public IReadOnlyList<int> ProcessIds { get; private set; } = [];

    /// <summary>Starts a private epmd and the broker, and waits until the broker answers an AMQP handshake.</summary>
    /// <exception cref="BackingServerException">A binary is missing, or the broker did not start (the message holds its last output).</exception>
    public static async Task<RabbitMqServer> StartAsync(RabbitMqServerOptions options, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        logger ??= NullLogger.Instance;
        var epmdPort = LoopbackPort.FindFree();
        var port = options.Port ?? LoopbackPort.FindFree();
        var distributionPort = LoopbackPort.FindFree();
        var epmdCommand = EpmdCommand(options, epmdPort);
        var brokerCommand = BrokerCommand(options, port, distributionPort, epmdPort);
        await PrepareAsync(options, logger, cancellationToken);

        var epmdPidFile = Path.Combine(Path.GetFullPath(options.DataDirectory), "epmd.pid");
        await OrphanedServer.StopAsync(epmdPidFile, "epmd", UnixSignal.Terminate, logger, cancellationToken);
        var epmd = ServerProcess.Start("epmd", epmdCommand.ToStartInfo(), logger);
        ServerProcess? broker = null;
        try
        {
            await Readiness.WaitAsync(epmd, ct => EpmdAnswersAsync(epmdPort, ct), options.StartupTimeout, cancellationToken);
            await File.WriteAllTextAsync(epmdPidFile, epmd.Id + "\n", cancellationToken);

            var startInfo = brokerCommand.ToStartInfo();
            // Only what the broker is given: nothing of this process's environment reaches it.
            startInfo.Environment.Clear();
            foreach (var (name, value) in brokerCommand.Environment!)
                startInfo.Environment[name] = value;
            broker = ServerProcess.Start("messaging", startInfo, logger);

            var server = new RabbitMqServer(broker, epmd, epmdPidFile, port, epmdPort, distributionPort, options.NodeName, options.ShutdownTimeout);
            await Readiness.WaitAsync(broker, ct => AmqpAnswersAsync(port, ct), options.StartupTimeout, cancellationToken);
            server.ProcessIds = broker.CaptureTree().With(epmd.CaptureTree()).ProcessIds;
            LogReady(logger, port, options.NodeName, options.DataDirectory);
            return server;
        }
        catch
        {
            if (broker is not null)
            {
                await broker.StopAsync(null, options.ShutdownTimeout, CancellationToken.None);
                await broker.DisposeAsync();
            }
            await epmd.StopAsync(null, options.ShutdownTimeout, CancellationToken.None);
            await epmd.DisposeAsync();
            File.Delete(epmdPidFile);
            throw;
        }
    }

    /// <summary>The broker's own Erlang port mapper on <paramref name="port"/>, started before the broker.</summary>
    /// <exception cref="BackingServerException">Erlang is not installed; the message says what to install.</exception>
    public static ServerCommand EpmdCommand(RabbitMqServerOptions options, int port)
    {
        var epmd = ExecutableLookup.Find(options.EpmdExecutable, InstallCommand, ExecutableLookup.VersionedDirectories("/usr/lib/erlang", "erts-", "bin"));
        return new ServerCommand(epmd, ["-address", "127.0.0.1", "-port", port.ToString()], Path.GetFullPath(options.DataDirectory));
    }

    /// <summary>
    /// The broker's command: AMQP on <paramref name="port"/>, Erlang distribution on <paramref name="distributionPort"/>,
    /// registered with the epmd on <paramref name="epmdPort"/>; its whole environment is in <see cref="ServerCommand.Environment"/>.
    /// </summary>
    /// <exception cref="BackingServerException">RabbitMQ or Erlang is not installed; the message says what to install.</exception>
    public static ServerCommand BrokerCommand(RabbitMqServerOptions options, int port, int distributionPort, int epmdPort)
    {
        var script = ExecutableLookup.Find(options.ServerScript, InstallCommand);
        ExecutableLookup.Find("erl", InstallCommand);
        var paths = new BrokerPaths(Path.GetFullPath(options.DataDirectory));
        return new ServerCommand(script, [], paths.DataDirectory,
            Environment(paths, options.NodeName, port, distributionPort, epmdPort).ToDictionary(e => e.Name, e => e.Value));
    }

    /// <summary>Writes the broker's private configuration and stops a broker an earlier run left running there.</summary>
    public static async Task PrepareAsync(RabbitMqServerOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var paths = await PrepareDataDirectoryAsync(Path.GetFullPath(options.DataDirectory), cancellationToken);
        await OrphanedServer.StopAsync(paths.PidFile, "beam.smp", UnixSignal.Terminate, logger, cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopRequested, 1) == 1)
            return;
        try
        {
            await _broker.StopAsync(() => _broker.Signal(UnixSignal.Terminate), _shutdownTimeout, cancellationToken);
        }
        finally
        {
            // The port mapper goes last, and even when the broker's stop was cancelled: nothing may outlive us.
            await _epmd.StopAsync(() => _epmd.Signal(UnixSignal.Terminate), _shutdownTimeout, CancellationToken.None);
            File.Delete(_epmdPidFile);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _broker.DisposeAsync();
        await _epmd.DisposeAsync();
    }

    static IEnumerable<(string Name, string Value)> Environment(BrokerPaths paths, string nodeName, int port, int distributionPort, int epmdPort)
    {
        yield return ("PATH", System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin");
        yield return ("HOME", paths.Home);
        yield return ("LANG", "C.UTF-8");
        yield return ("LC_ALL", "C.UTF-8");
        yield return ("RABBITMQ_NODENAME", nodeName);
        yield return ("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
        yield return ("RABBITMQ_NODE_PORT", port.ToString());
        yield return ("RABBITMQ_DIST_PORT", distributionPort.ToString());
        yield return ("ERL_EPMD_PORT", epmdPort.ToString());
        yield return ("ERL_EPMD_ADDRESS", "127.0.0.1");
        yield return ("RABBITMQ_MNESIA_BASE", paths.Mnesia);
        yield return ("RABBITMQ_LOG_BASE", paths.Logs);
        yield return ("RABBITMQ_PID_FILE", paths.PidFile);
        yield return ("RABBITMQ_ENABLED_PLUGINS_FILE", paths.EnabledPlugins);
        yield return ("RABBITMQ_CONFIG_FILE", paths.Configuration);
        yield return ("RABBITMQ_ADVANCED_CONFIG_FILE", paths.AdvancedConfiguration);
        yield return ("RABBITMQ_CONF_ENV_FILE", paths.EnvironmentFile);
        yield return ("ERL_CRASH_DUMP", Path.Combine(paths.Logs, "erl_crash.dump"));
    }

    static async Task<BrokerPaths> PrepareDataDirectoryAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var paths = new BrokerPaths(dataDirectory);
        Directory.CreateDirectory(paths.Home);
        Directory.CreateDirectory(paths.Mnesia);
        Directory.CreateDirectory(paths.Logs);
        await File.WriteAllTextAsync(paths.Configuration, Configuration + "\n", cancellationToken);
        // Empty on purpose: without them the broker reads /etc/rabbitmq's, and enables the system's plugins.
        await File.WriteAllTextAsync(paths.EnvironmentFile, "", cancellationToken);
        await File.WriteAllTextAsync(paths.EnabledPlugins, "[].\n", cancellationToken);
        return paths;
    }

    /// <summary>Asks epmd for its registered names (NAMES_REQ); the reply starts with epmd's own port.</summary>
    public static async Task<bool> EpmdAnswersAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync(new byte[] { 0, 1, (byte)'n' }, cancellationToken);
        var reply = new byte[4];
        await stream.ReadExactlyAsync(reply, cancellationToken);
        return BinaryPrimitives.ReadInt32BigEndian(reply) == port;
    }

    /// <summary>
    /// Sends the AMQP 0-9-1 protocol header and expects the broker's connection.start method frame
    /// (type 1 on channel 0, class 10 method 10): the broker has booted and accepts clients.
    /// </summary>
    public static async Task<bool> AmqpAnswersAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
        var stream = client.GetStream();
        await stream.WriteAsync("AMQP\0\0\u0009\u0001"u8.ToArray(), cancellationToken);
        var frame = new byte[11];
        await stream.ReadExactlyAsync(frame, cancellationToken);
        return frame[0] == 1
            && BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(1)) == 0
            && BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(7)) == 10
            && BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(9)) == 10;
    }

    sealed record BrokerPaths(string DataDirectory)
    {
        public string Home => Path.Combine(DataDirectory, "home");
        public string Mnesia => Path.Combine(DataDirectory, "mnesia");
        public string Logs => Path.Combine(DataDirectory, "log");
        public string PidFile => Path.Combine(DataDirectory, "rabbitmq.pid");
        public string Configuration => Path.Combine(DataDirectory, "rabbitmq.conf");
        public string AdvancedConfiguration => Path.Combine(DataDirectory, "advanced.config");
        public string EnvironmentFile => Path.Combine(DataDirectory, "rabbitmq-env.conf");
        public string EnabledPlugins => Path.Combine(DataDirectory, "enabled_plugins");
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "messaging: ready on 127.0.0.1:{Port} as node {NodeName}, data in {DataDirectory}")]
    static partial void LogReady(ILogger logger, int port, string nodeName, string dataDirectory);
}
