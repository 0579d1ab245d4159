using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Proxy.Api.Tests;

/// <summary>Requests whose answer is read as JSON with its status, for endpoints that answer problems as well as results.</summary>
public static class JsonRequests
{
    static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public static async Task<(HttpStatusCode Status, JsonElement Body)> GetJsonAsync(this HttpClient http, string path)
    {
        using var response = await http.GetAsync(path, Cancellation);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation));
    }

    /// <summary>POSTs <paramref name="json"/> as it is, with <c>Content-Type: application/json</c>.</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body)> PostJsonAsync(this HttpClient http, string path, string json)
    {
        using var response = await http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), Cancellation);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(Cancellation));
    }
}
