namespace McpOrch.LocalServers;

public sealed class PostgresServerOptions
{
    /// <summary>The cluster's data directory (PGDATA). Created and initialised when empty; reused as is otherwise.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The loopback port; null picks a free one.</summary>
    public int? Port { get; init; }

    /// <summary>The database created for the services (never the maintenance database <c>postgres</c>).</summary>
    public string DatabaseName { get; init; } = "orchdb";

    /// <summary>The <c>postgres</c> binary: a name searched on PATH and in /usr/lib/postgresql/*/bin, or a path.</summary>
    public string PostgresExecutable { get; init; } = "postgres";

    /// <summary>The <c>initdb</c> binary: a name searched like <see cref="PostgresExecutable"/>, or a path.</summary>
    public string InitDbExecutable { get; init; } = "initdb";

    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
