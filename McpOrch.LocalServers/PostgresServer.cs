using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace McpOrch.LocalServers;

/// <summary>
/// PostgreSQL on 127.0.0.1 with trust authentication for the user <c>postgres</c>, and a dedicated
/// database for the services. PostgreSQL refuses to run as root, so as root it runs as the user
/// <c>postgres</c> (see <see cref="Command"/>). The test fixtures start it with <see cref="StartAsync"/>; the AppHost
/// runs <see cref="Command"/> as an Aspire resource after <see cref="PrepareAsync"/>.
/// </summary>
public sealed partial class PostgresServer : IBackingServer
{
    const string InstallCommand = "apt-get install -y postgresql";
    const string ServiceUser = "postgres";

    /// <summary>The database every cluster has, for checks and <c>CREATE DATABASE</c>.</summary>
    public const string MaintenanceDatabase = "postgres";

    readonly ServerProcess _process;
    readonly TimeSpan _shutdownTimeout;
    int _stopRequested;

    PostgresServer(ServerProcess process, string dataDirectory, int port, string databaseName, TimeSpan shutdownTimeout)
    {
        _process = process;
        DataDirectory = dataDirectory;
        Port = port;
        DatabaseName = databaseName;
        _shutdownTimeout = shutdownTimeout;
    }

    public string ResourceName => "postgres";

    /// <summary>Services read the database's connection string, so it is named after the database.</summary>
    public string ConnectionName => DatabaseName;

    public string DatabaseName { get; }

    public string DataDirectory { get; }

    public int Port { get; }

    /// <summary><c>Host=127.0.0.1;Port=P;Username=postgres;Database=orchdb</c></summary>
    public string ConnectionString => ConnectionStringFor(Port, DatabaseName);

    public IReadOnlyList<int> ProcessIds { get; private set; } = [];

    /// <summary>
    /// Initialises <see cref="PostgresServerOptions.DataDirectory"/> if it holds no cluster yet, starts
    /// the server, waits until it answers queries and creates the database.
    /// </summary>
    /// <exception cref="BackingServerException">A binary is missing, or the server did not start (the message holds its last output).</exception>
    public static async Task<PostgresServer> StartAsync(PostgresServerOptions options, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        logger ??= NullLogger.Instance;
        var port = options.Port ?? LoopbackPort.FindFree();
        var command = Command(options, port);
        await PrepareAsync(options, logger, cancellationToken);
        var process = ServerProcess.Start("postgres", command.ToStartInfo(), logger);
        var server = new PostgresServer(process, Path.GetFullPath(options.DataDirectory), port, options.DatabaseName, options.ShutdownTimeout);
        try
        {
            await Readiness.WaitAsync(process, ct => AnswersQueriesAsync(port, MaintenanceDatabase, ct), options.StartupTimeout, cancellationToken);
            await server.CreateDatabaseAsync(options.DatabaseName, cancellationToken);
            server.ProcessIds = process.CaptureTree().ProcessIds;
            LogReady(logger, port, server.DataDirectory);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The server's command for <paramref name="port"/>. As root it runs as the user <c>postgres</c> through
    /// <c>setpriv</c>, which execs it: the postmaster itself is the process, and gets the signals sent to it.
    /// </summary>
    /// <exception cref="BackingServerException">A binary is missing; the message says what to install.</exception>
    public static ServerCommand Command(PostgresServerOptions options, int port)
    {
        var binaries = Binaries.Find(options);
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        return binaries.AsServiceUser(binaries.Postgres, dataDirectory,
        [
            "-D", dataDirectory, "-p", port.ToString(), "-k", dataDirectory,
            "-c", "listen_addresses=127.0.0.1",
            // Local development and test data: speed over crash safety.
            "-c", "fsync=off",
        ]);
    }

    /// <summary>
    /// Makes the data directory ready for <see cref="Command"/>: owned by the service user, no server of an earlier
    /// run still holding it, a cluster initialised (initdb) if there is none.
    /// </summary>
    /// <exception cref="BackingServerException">A binary is missing, or initdb failed.</exception>
    public static async Task PrepareAsync(PostgresServerOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var binaries = Binaries.Find(options);
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        if (binaries.SetPriv is not null)
            await GiveToServiceUserAsync(dataDirectory, cancellationToken);
        else
            Directory.CreateDirectory(dataDirectory);
        await OrphanedServer.StopAsync(Path.Combine(dataDirectory, "postmaster.pid"), "postgres", UnixSignal.Interrupt, logger, cancellationToken);
        if (File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
            return;
        var initdb = binaries.AsServiceUser(binaries.InitDb, dataDirectory,
            ["-D", dataDirectory, "-U", ServiceUser, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
        var result = await CommandRunner.RunAsync(initdb.FileName, initdb.Arguments, dataDirectory, cancellationToken: cancellationToken);
        if (!result.Succeeded)
            throw new BackingServerException(
                $"initdb failed (exit code {result.ExitCode}) for {dataDirectory}. Its last output:\n{result.Tail()}");
    }

    /// <summary>Whether the server on <paramref name="port"/> answers a query in <paramref name="database"/>: it has started,
    /// accepts clients and has that database.</summary>
    public static async Task<bool> AnswersQueriesAsync(int port, string database, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(MaintenanceConnectionString(port, database));
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        return await command.ExecuteScalarAsync(cancellationToken) is 1;
    }

    /// <summary>The connection string of <paramref name="database"/> on the server on <paramref name="port"/>.</summary>
    public static string ConnectionStringFor(int port, string database) =>
        $"Host=127.0.0.1;Port={port};Username={ServiceUser};Database={database}";

    /// <summary>Creates <paramref name="database"/> unless it exists; returns its connection string.</summary>
    public Task<string> CreateDatabaseAsync(string database, CancellationToken cancellationToken) =>
        CreateDatabaseAsync(Port, database, cancellationToken);

    /// <summary>Creates <paramref name="database"/> on the server on <paramref name="port"/> unless it exists; returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(int port, string database, CancellationToken cancellationToken)
    {
        ValidateDatabaseName(database);
        await using var connection = new NpgsqlConnection(MaintenanceConnectionString(port));
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection)
        {
            Parameters = { new() { Value = database } },
        };
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            // The name was validated as a plain identifier, so quoting it is enough.
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
            try
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
            {
                // Created concurrently by another caller: just as good.
            }
        }
        return ConnectionStringFor(port, database);
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopRequested, 1) == 1)
            return;
        // SIGINT is PostgreSQL's fast shutdown: SIGTERM would wait for every client to disconnect.
        await _process.StopAsync(() => _process.Signal(UnixSignal.Interrupt), _shutdownTimeout, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _process.DisposeAsync();
    }

    // Pooling off: an idle pooled connection would keep the server from shutting down fast.
    static string MaintenanceConnectionString(int port, string database = MaintenanceDatabase) =>
        ConnectionStringFor(port, database) + ";Pooling=false;Timeout=5";

    /// <summary>The binaries, found once per call; <see cref="SetPriv"/> only when running as root.</summary>
    sealed record Binaries(string Postgres, string InitDb, string? SetPriv)
    {
        public static Binaries Find(PostgresServerOptions options)
        {
            var installDirectories = ExecutableLookup.VersionedDirectories("/usr/lib/postgresql", "", "bin").ToList();
            return new Binaries(
                ExecutableLookup.Find(options.PostgresExecutable, InstallCommand, installDirectories),
                ExecutableLookup.Find(options.InitDbExecutable, InstallCommand, installDirectories),
                // PostgreSQL refuses to run as root.
                Environment.IsPrivilegedProcess ? ExecutableLookup.Find("setpriv", "apt-get install -y util-linux", "/usr/bin", "/bin") : null);
        }

        public ServerCommand AsServiceUser(string executable, string workingDirectory, IReadOnlyList<string> arguments) =>
            // A working directory the service user may enter, or initdb and postgres complain about it.
            SetPriv is null
                ? new ServerCommand(executable, arguments, workingDirectory)
                : new ServerCommand(SetPriv, ["--reuid", ServiceUser, "--regid", ServiceUser, "--init-groups", "--", executable, .. arguments], workingDirectory);
    }

    /// <summary>Creates the data directory and hands it to the user <c>postgres</c>, which must be able to reach it.</summary>
    static async Task GiveToServiceUserAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        if (!(await File.ReadAllLinesAsync("/etc/passwd", cancellationToken)).Any(line => line.StartsWith(ServiceUser + ":", StringComparison.Ordinal)))
            throw new BackingServerException($"the user '{ServiceUser}' does not exist: install PostgreSQL with '{InstallCommand}', which creates it");

        for (var parent = Path.GetDirectoryName(dataDirectory); parent is not null; parent = Path.GetDirectoryName(parent))
        {
            if (Directory.Exists(parent) && !OperatingSystem.IsWindows() && (File.GetUnixFileMode(parent) & UnixFileMode.OtherExecute) == 0)
                throw new BackingServerException(
                    $"PostgreSQL runs as the user '{ServiceUser}', which may not enter {parent}: " +
                    $"put the data directory {dataDirectory} elsewhere, or allow it with 'chmod o+x {parent}'");
        }

        Directory.CreateDirectory(dataDirectory);
        var chown = ExecutableLookup.Find("chown", "apt-get install -y coreutils");
        var result = await CommandRunner.RunAsync(chown, [$"{ServiceUser}:{ServiceUser}", dataDirectory], cancellationToken: cancellationToken);
        if (!result.Succeeded)
            throw new BackingServerException($"could not give {dataDirectory} to the user '{ServiceUser}': {result.Tail()}");
    }

    static void ValidateDatabaseName(string database)
    {
        if (!DatabaseNamePattern().IsMatch(database))
            throw new ArgumentException($"'{database}' is not a plain PostgreSQL identifier (letters, digits and '_', at most 63).", nameof(database));
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex DatabaseNamePattern();

    [LoggerMessage(Level = LogLevel.Debug, Message = "postgres: ready on 127.0.0.1:{Port}, data in {DataDirectory}")]
    static partial void LogReady(ILogger logger, int port, string dataDirectory);
}
