using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using McpOrch.Testing;

namespace Proxy.Api.Tests;

/// <summary><c>GET /admin/audit.csv</c> against the shared proxy: the rows <c>/admin/audit</c> pages through, as one RFC 4180 file.</summary>
public sealed class AuditExportTests(ProxyFixture fixture)
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    HttpClient Client(string key) => fixture.Proxy.ClientWith(key);

    /// <summary>The rows of an RFC 4180 text: fields split at commas outside quotes, "" inside quotes a quote, records ended by CRLF.</summary>
    static List<List<string>> ParseCsv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                    field.Append(text[++i]);
                else if (c == '"')
                    quoted = false;
                else
                    field.Append(c);
            }
            else if (c == '"')
                quoted = true;
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
                i++;
            }
            else if (c is '\r' or '\n')
                Assert.Fail($"a bare line break at {i}: records end with CRLF, and a field with a line break is quoted");
            else
                field.Append(c);
        }
        Assert.True(row.Count == 0 && field.Length == 0, "the last record is not ended by CRLF");
        return rows;
    }

    [Fact]
    public async Task The_matching_calls_come_as_csv_with_a_header_quoted_fields_and_the_json_s_rows_in_its_order()
    {
        // A caller of its own, whose name needs quoting, so that the rows are this test's alone.
        var name = $"csv, \"quoted\" {Guid.NewGuid():N}";
        var token = TestCredentials.Jwt(new { sub = Guid.NewGuid().ToString("N"), name, permissions = "execute",
            exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds() }, ProxyUnderTest.ProxySecret);
        using var caller = new HttpClient { BaseAddress = fixture.Proxy.Process.BaseAddress };
        caller.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        for (var i = 0; i < 3; i++)
            (await caller.PostAsJsonAsync("/tools/everything.echo", new { message = $"line {i}\nwith a break" }, Cancellation)).EnsureSuccessStatusCode();
        using var admin = Client(ProxyUnderTest.ProxySecret);
        var query = $"caller={Uri.EscapeDataString(name)}";
        JsonElement[] json = [];
        for (var attempt = 0; attempt < 100 && json.Length < 3; attempt++)
        {
            await Task.Delay(100, Cancellation);
            json = [.. (await admin.GetFromJsonAsync<JsonElement>($"/admin/audit?{query}", Cancellation)).GetProperty("items").EnumerateArray()];
        }

        using var response = await admin.GetAsync($"/admin/audit.csv?{query}", Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Matches(@"^audit-\d{8}T\d{6}Z\.csv$", response.Content.Headers.ContentDisposition?.FileName?.Trim('"') ?? "");
        Assert.Equal("3", response.Headers.GetValues("X-Total-Count").Single());
        var text = await response.Content.ReadAsStringAsync(Cancellation);
        Assert.StartsWith("id,at,caller,source,server,tool,outcome,duration_ms,result_bytes,arguments,run_id,idempotency_key\r\n", text);
        Assert.Contains($"\"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", text);
        var rows = ParseCsv(text);
        Assert.Equal(4, rows.Count);
        Assert.All(rows, r => Assert.Equal(12, r.Count));
        Assert.Equal(json.Select(r => r.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture)), rows.Skip(1).Select(r => r[0]));
        Assert.All(rows.Skip(1), r => Assert.Equal((name, "rest", "everything", "echo", "ok", """{"message":"***"}"""), (r[2], r[3], r[4], r[5], r[6], r[9])));
        Assert.Equal(json[0].GetProperty("at").GetDateTimeOffset(), DateTimeOffset.Parse(rows[1][1], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_time_that_is_not_one_is_400_saying_the_form()
    {
        using var admin = Client(ProxyUnderTest.ProxySecret);

        using var badTime = await admin.GetAsync("/admin/audit.csv?from=yesterday", Cancellation);

        Assert.Equal(HttpStatusCode.BadRequest, badTime.StatusCode);
        Assert.Equal("application/problem+json", badTime.Content.Headers.ContentType?.MediaType);
        Assert.Contains("from and to are ISO 8601 times", await badTime.Content.ReadAsStringAsync(Cancellation));
    }
}
