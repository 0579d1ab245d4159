using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Proxy.Api.Tests;

/// <summary>What a proxy's SQLite database holds of its API keys, read with plain SQL.</summary>
public static class StoredKeys
{
    /// <summary>Every row of <c>api_keys</c>, each column as text.</summary>
    public static async Task<List<string[]>> ReadAsync(string dataFolder)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(dataFolder, "mcp-orch.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM api_keys";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string[]>();
        while (await reader.ReadAsync())
            rows.Add([.. Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!)]);
        return rows;
    }

    /// <summary>Checks that the table has the key's hash and that neither it nor any file of the database has the secret.</summary>
    public static async Task AssertHashedAsync(string dataFolder, string secret)
    {
        var rows = await ReadAsync(dataFolder);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
        Assert.Contains(rows, row => row.Contains(hash));
        Assert.DoesNotContain(rows, row => row.Any(value => value.Contains(secret, StringComparison.Ordinal)));
        foreach (var file in Directory.GetFiles(dataFolder, "mcp-orch.db*"))
            Assert.DoesNotContain(secret, Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file)));
    }
}
