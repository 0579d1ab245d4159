using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace McpOrch.Core.Runs;

/// <summary>
/// Tunes every SQLite connection of the single-process mode as it opens. <c>busy_timeout</c>: a writer that finds
/// the database locked waits inside SQLite, retrying within a millisecond or two, instead of Microsoft.Data.Sqlite's
/// own retry that sleeps 150 ms each time (which made every contended step transition cost 150 ms).
/// <c>synchronous = NORMAL</c>: in WAL mode a commit no longer waits for an fsync, so locks are held for less time;
/// a crash of the process loses nothing, a power cut may lose the last transactions.
/// </summary>
public sealed class SqlitePragmas : DbConnectionInterceptor
{
    const string Pragmas = "PRAGMA busy_timeout = 30000; PRAGMA synchronous = NORMAL;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
