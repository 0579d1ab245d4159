using System.Globalization;
using System.Text;
using McpOrch.Core.Security;

namespace Proxy.Api.Apis;

/// <summary>Audit records as CSV (RFC 4180): a header row, CRLF line ends, a field quoted when it holds a comma, a quote or a line break.</summary>
public static class AuditCsv
{
    /// <summary>The most rows one export holds.</summary>
    public const int MaxRows = 100_000;

    /// <summary>The header row's names: the JSON's, in snake_case.</summary>
    public static readonly string[] Columns =
        ["id", "at", "caller", "source", "server", "tool", "outcome", "duration_ms", "result_bytes", "arguments", "run_id", "idempotency_key"];

    /// <summary>Writes the header and <paramref name="records"/> to <paramref name="body"/> as they come, in UTF-8.</summary>
    public static async Task WriteAsync(Stream body, IAsyncEnumerable<AuditRecord> records, CancellationToken cancellationToken)
    {
        // Asynchronous writes only: the server refuses synchronous I/O on a response.
        await using var writer = new StreamWriter(body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 64 * 1024);
        var line = new StringBuilder();
        await writer.WriteAsync(Row(line, Columns), cancellationToken);
        await foreach (var record in records.WithCancellation(cancellationToken))
            await writer.WriteAsync(Row(line,
            [
                record.Id.ToString(CultureInfo.InvariantCulture),
                DateTime.SpecifyKind(record.At, DateTimeKind.Utc).ToString("O", CultureInfo.InvariantCulture),
                record.Caller, record.Source, record.Server, record.Tool, record.Outcome,
                record.DurationMs.ToString(CultureInfo.InvariantCulture), record.ResultBytes.ToString(CultureInfo.InvariantCulture),
                record.Arguments, record.RunId, record.IdempotencyKey,
            ]), cancellationToken);
    }

    /// <summary>One row, CRLF included; null fields are empty.</summary>
    static StringBuilder Row(StringBuilder line, IEnumerable<string?> fields)
    {
        line.Clear();
        var first = true;
        foreach (var field in fields)
        {
            if (!first)
                line.Append(',');
            first = false;
            if (field is null)
                continue;
            if (field.AsSpan().IndexOfAny(",\"\r\n") < 0)
                line.Append(field);
            else
                line.Append('"').Append(field.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
        }
        return line.Append("\r\n");
    }
}
