using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace McpOrch.AppHost.BackingServers;

/// <summary>
/// PostgreSQL on 127.0.0.1 with trust authentication for the user <c>postgres</c>, and a dedicated
/// database for the services. PostgreSQL refuses to run as root, so as root it runs as the user
/// <c>postgres</c> through <c>runuser</c>; <c>runuser</c> does not forward signals, so the server
/// is stopped with SIGINT (fast shutdown) to the postmaster pid in <c>postmaster.pid</c>.
/// </summary>
public sealed partial class PostgresServer : IBackingServer
{
    const string InstallCommand = "apt-get install -y postgresql";
    const string ServiceUser = "postgres";

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
    public string ConnectionString => ConnectionStringFor(DatabaseName);

    public IReadOnlyList<int> ProcessIds { get; private set; } = [];

    /// <summary>The connection string of another database on this server.</summary>
    public string ConnectionStringFor(string database) =>
        $"Host=127.0.0.1;Port={Port};Username={ServiceUser};Database={database}";

    /// <summary>
    /// Initialises <see cref="PostgresServerOptions.DataDirectory"/> if it holds no cluster yet, starts
    /// the server, waits until it answers queries and creates the database.
    /// </summary>
    /// <exception cref="BackingServerException">A binary is missing, or the server did not start (the message holds its last output).</exception>
    public static async Task<PostgresServer> StartAsync(PostgresServerOptions options, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        logger ??= NullLogger.Instance;
        ValidateDatabaseName(options.DatabaseName);
        var installDirectories = ExecutableLookup.VersionedDirectories("/usr/lib/postgresql", "", "bin").ToList();
        var postgres = ExecutableLookup.Find(options.PostgresExecutable, InstallCommand, installDirectories);
        var initdb = ExecutableLookup.Find(options.InitDbExecutable, InstallCommand, installDirectories);
        var runuser = Environment.IsPrivilegedProcess ? ExecutableLookup.Find("runuser", "apt-get install -y util-linux", "/usr/sbin", "/sbin") : null;

        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        if (runuser is not null)
            await GiveToServiceUserAsync(dataDirectory, cancellationToken);
        else
            Directory.CreateDirectory(dataDirectory);
        await OrphanedServer.StopAsync(Path.Combine(dataDirectory, "postmaster.pid"), "postgres", UnixSignal.Interrupt, logger, cancellationToken);
        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
            await InitDbAsync(runuser, initdb, dataDirectory, cancellationToken);

        var port = options.Port ?? LoopbackPort.FindFree();
        var process = ServerProcess.Start("postgres", AsServiceUser(runuser, postgres, dataDirectory,
        [
            "-D", dataDirectory, "-p", port.ToString(), "-k", dataDirectory,
            "-c", "listen_addresses=127.0.0.1",
            // Local development and test data: speed over crash safety.
            "-c", "fsync=off",
        ]), logger);
        var server = new PostgresServer(process, dataDirectory, port, options.DatabaseName, options.ShutdownTimeout);
        try
        {
            await Readiness.WaitAsync(process, server.AnswersQueriesAsync, options.StartupTimeout, cancellationToken);
            await server.CreateDatabaseAsync(options.DatabaseName, cancellationToken);
            server.ProcessIds = process.CaptureTree().ProcessIds;
            LogReady(logger, port, dataDirectory);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates <paramref name="database"/> unless it exists; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string database, CancellationToken cancellationToken)
    {
        ValidateDatabaseName(database);
        await using var connection = new NpgsqlConnection(MaintenanceConnectionString);
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
        return ConnectionStringFor(database);
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopRequested, 1) == 1)
            return;
        await _process.StopAsync(InterruptPostmaster, _shutdownTimeout, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _process.DisposeAsync();
    }

    // Pooling off: an idle pooled connection would keep the server from shutting down fast.
    string MaintenanceConnectionString => ConnectionStringFor("postgres") + ";Pooling=false;Timeout=5";

    async Task<bool> AnswersQueriesAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(MaintenanceConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        return await command.ExecuteScalarAsync(cancellationToken) is 1;
    }

    void InterruptPostmaster()
    {
        if (ReadPostmasterPid() is { } pid && ProcessTree.CommandName(pid) == "postgres" && ProcessSignals.Send(pid, UnixSignal.Interrupt))
            return;
        _process.Signal(UnixSignal.Interrupt);
    }

    int? ReadPostmasterPid()
    {
        try
        {
            using var reader = new StreamReader(Path.Combine(DataDirectory, "postmaster.pid"));
            return int.TryParse(reader.ReadLine(), out var pid) ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    static ProcessStartInfo AsServiceUser(string? runuser, string executable, string workingDirectory, IEnumerable<string> arguments)
    {
        var startInfo = runuser is null
            ? new ProcessStartInfo(executable, arguments)
            : new ProcessStartInfo(runuser, ["-u", ServiceUser, "--", executable, .. arguments]);
        // A working directory the service user may enter, or initdb and postgres complain about it.
        startInfo.WorkingDirectory = workingDirectory;
        return startInfo;
    }

    static async Task InitDbAsync(string? runuser, string initdb, string dataDirectory, CancellationToken cancellationToken)
    {
        var startInfo = AsServiceUser(runuser, initdb, dataDirectory,
            ["-D", dataDirectory, "-U", ServiceUser, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
        var result = await CommandRunner.RunAsync(startInfo.FileName, startInfo.ArgumentList, dataDirectory, cancellationToken: cancellationToken);
        if (!result.Succeeded)
            throw new BackingServerException(
                $"initdb failed (exit code {result.ExitCode}) for {dataDirectory}. Its last output:\n{result.Tail()}");
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
