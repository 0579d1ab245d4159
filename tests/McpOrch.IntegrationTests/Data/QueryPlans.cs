using System.Data.Common;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace McpOrch.IntegrationTests.Data;

/// <summary>
/// Records how the database runs each query that reads <see cref="Table"/>: before the query runs, the same text and
/// parameters are sent once more behind <c>EXPLAIN</c> (PostgreSQL) or <c>EXPLAIN QUERY PLAN</c> (SQLite), and the
/// plan's lines are kept. A test then checks that an index answers a query, not a scan of every row. PostgreSQL is asked
/// with <c>enable_seqscan</c> off: for a test's small table it rightly prefers reading the table whole, and with scans
/// made dear the plan shows whether an index can answer the query at all (if none can, it still scans).
/// </summary>
public sealed class QueryPlans(string table) : DbCommandInterceptor
{
    readonly List<(string Sql, string Plan)> _plans = [];

    public string Table { get; } = table;

    /// <summary>Record only while true, so that setting a database up is left out.</summary>
    public bool Recording { get; set; }

    /// <summary>Each query recorded, with its plan, one line per plan node.</summary>
    public IReadOnlyList<(string Sql, string Plan)> Plans
    {
        get
        {
            lock (_plans)
                return [.. _plans];
        }
    }

    public void Clear()
    {
        lock (_plans)
            _plans.Clear();
    }

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        if (Recording && command.CommandText.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase)
            && Regex.IsMatch(command.CommandText, $@"\bFROM ""?{Table}""?\s"))
        {
            var sqlite = command.GetType().Namespace!.Contains("Sqlite", StringComparison.Ordinal);
            if (!sqlite)
                await ExecuteAsync(command, "SET enable_seqscan = off", cancellationToken);
            await using var explain = command.Connection!.CreateCommand();
            explain.Transaction = command.Transaction;
            explain.CommandText = (sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + command.CommandText;
            foreach (DbParameter parameter in command.Parameters)
            {
                var copy = explain.CreateParameter();
                copy.ParameterName = parameter.ParameterName;
                copy.Value = parameter.Value;
                explain.Parameters.Add(copy);
            }
            var lines = new List<string>();
            await using (var reader = await explain.ExecuteReaderAsync(cancellationToken))
                while (await reader.ReadAsync(cancellationToken))
                    // PostgreSQL: one column of text; SQLite: id, parent, notused, detail.
                    lines.Add(reader.GetString(reader.FieldCount - 1));
            if (!sqlite)
                await ExecuteAsync(command, "RESET enable_seqscan", cancellationToken);
            lock (_plans)
                _plans.Add((command.CommandText, string.Join("\n", lines)));
        }
        return result;
    }

    /// <summary>Whether the plan reads every row of a table: a <c>Seq Scan</c>, or SQLite's <c>SCAN t</c> without an index.</summary>
    public static bool ScansTable(string plan) =>
        plan.Contains("Seq Scan", StringComparison.Ordinal) || plan.Split('\n').Any(line => Regex.IsMatch(line, @"^SCAN \w+$"));

    /// <summary>Whether the plan sorts rows itself (SQLite's temporary B-tree, PostgreSQL's <c>Sort</c>) rather than reading them in an index's order.</summary>
    public static bool Sorts(string plan) =>
        plan.Split('\n').Any(line => line.Contains("TEMP B-TREE", StringComparison.Ordinal) || Regex.IsMatch(line, @"^\s*(->\s+)?(Incremental )?Sort\s"));

    static async Task ExecuteAsync(DbCommand query, string sql, CancellationToken cancellationToken)
    {
        await using var command = query.Connection!.CreateCommand();
        command.Transaction = query.Transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
