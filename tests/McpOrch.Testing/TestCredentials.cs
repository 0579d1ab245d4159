using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace McpOrch.Testing;

/// <summary>
/// The key every service started by the tests accepts (its <c>API_KEY</c>, with every permission), unless a test
/// sets its own: authentication is on by default, as it is for users.
/// </summary>
public static class TestCredentials
{
    public const string AdminKey = "mco_test-admin-key-for-the-test-suite-only";

    /// <summary>Sends <paramref name="key"/> with every request of <paramref name="http"/>.</summary>
    public static HttpClient WithApiKey(this HttpClient http, string key = AdminKey)
    {
        http.DefaultRequestHeaders.Remove("X-API-Key");
        http.DefaultRequestHeaders.Add("X-API-Key", key);
        return http;
    }

    /// <summary>The headers an MCP client sends to authenticate with <paramref name="key"/>.</summary>
    public static Dictionary<string, string> Headers(string key = AdminKey) => new() { ["Authorization"] = $"Bearer {key}" };

    /// <summary>An HS256 JWT of <paramref name="claims"/>, signed with <paramref name="secret"/>.</summary>
    public static string Jwt(object claims, string secret)
    {
        var header = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new { alg = "HS256", typ = "JWT" }));
        var payload = Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(claims));
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{header}.{payload}"));
        return $"{header}.{payload}.{Base64Url.EncodeToString(signature)}";
    }
}
