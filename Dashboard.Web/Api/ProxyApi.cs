using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dashboard.Web.Auth;
using Microsoft.AspNetCore.Components.Authorization;

namespace Dashboard.Web.Api;

/// <summary>
/// Proxy.Api's REST API, as the signed-in user: every request carries the key (or JWT) of the dashboard session, so what
/// a user sees and may do is what Proxy.Api lets that key see and do. The dashboard has no other way in.
/// </summary>
public sealed class ProxyApi(HttpClient http, AuthenticationStateProvider authentication)
{
    static readonly JsonSerializerOptions Camel = new(JsonSerializerDefaults.Web);
    static readonly JsonSerializerOptions Snake = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Who <paramref name="key"/> is, or null when Proxy.Api does not take it (401).</summary>
    public async Task<Me?> MeAsync(string key, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
            return null;
        return await ReadAsync<Me>(response, Snake, cancellationToken);
    }

    public Task<ServerInfo[]> ServersAsync(CancellationToken cancellationToken) => GetAsync<ServerInfo[]>("/servers", Camel, cancellationToken);

    public Task<CallReport> StatsAsync(int minutes, CancellationToken cancellationToken) =>
        GetAsync<CallReport>($"/servers/stats?minutes={minutes}", Camel, cancellationToken);

    public Task<ServerStandardError> StandardErrorAsync(string server, int limit, CancellationToken cancellationToken) =>
        GetAsync<ServerStandardError>($"/servers/{Uri.EscapeDataString(server)}/stderr?limit={limit}", Camel, cancellationToken);

    public Task<ReloadResult> ReloadAsync(CancellationToken cancellationToken) =>
        SendAsync<ReloadResult>(HttpMethod.Post, "/servers/reload", null, Camel, cancellationToken);

    public Task<ToolInfo[]> ToolsAsync(CancellationToken cancellationToken) => GetAsync<ToolInfo[]>("/tools", Camel, cancellationToken);

    /// <summary>Calls a tool with <paramref name="arguments"/>; a refusal or a tool error is an answer too, not an exception.</summary>
    public async Task<ToolCallAnswer> CallToolAsync(string name, JsonObject arguments, CancellationToken cancellationToken)
    {
        using var request = await RequestAsync(HttpMethod.Post, $"/tools/{Uri.EscapeDataString(name)}", JsonContent.Create(arguments));
        var started = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var duration = Stopwatch.GetElapsedTime(started);
        ThrowIfSignedOut(response);
        return new ToolCallAnswer((int)response.StatusCode, body.Length == 0 ? null : JsonNode.Parse(body), duration);
    }

    public Task<RunPage> RunsAsync(int offset, int limit, IEnumerable<string> states, CancellationToken cancellationToken) =>
        GetAsync<RunPage>($"/batch?offset={offset}&limit={limit}{string.Concat(states.Select(s => $"&state={Uri.EscapeDataString(s)}"))}",
            Snake, cancellationToken);

    public Task<RunStatus> RunAsync(Guid id, CancellationToken cancellationToken) => GetAsync<RunStatus>($"/batch/status/{id}", Snake, cancellationToken);

    public Task<RunResult> RunResultAsync(Guid id, CancellationToken cancellationToken) => GetAsync<RunResult>($"/batch/result/{id}", Snake, cancellationToken);

    /// <summary>Starts a run from a request in words or a plan.</summary>
    public Task<RunAccepted> ExecuteAsync(string? requestInWords, JsonObject? plan, CancellationToken cancellationToken) =>
        SendAsync<RunAccepted>(HttpMethod.Post, "/batch/execute",
            new JsonObject { ["request"] = requestInWords, ["plan"] = plan?.DeepClone() }, Snake, cancellationToken);

    /// <summary>What the planner's validator says of <paramref name="plan"/>, step by step, before anything runs.</summary>
    public Task<PlanCheck> ValidateAsync(JsonObject plan, CancellationToken cancellationToken) =>
        SendAsync<PlanCheck>(HttpMethod.Post, "/batch/validate", new JsonObject { ["plan"] = plan.DeepClone() }, Snake, cancellationToken);

    public async Task CancelRunAsync(Guid id, CancellationToken cancellationToken)
    {
        using var request = await RequestAsync(HttpMethod.Delete, $"/batch/cancel/{id}");
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    /// <summary>A run's events as they happen, from the first (or after <paramref name="lastEventId"/>), until its last one.</summary>
    public async IAsyncEnumerable<(string? Id, RunEvent Event)> RunEventsAsync(Guid id, string? lastEventId,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var request = await RequestAsync(HttpMethod.Get, $"/batch/events/{id}");
        if (lastEventId is not null)
            request.Headers.Add("Last-Event-ID", lastEventId);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NoContent)
            yield break;
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken))
            if (JsonSerializer.Deserialize<RunEvent>(item.Data, Snake) is { } e)
                yield return (item.EventId, e);
    }

    public Task<KeyInfo[]> KeysAsync(CancellationToken cancellationToken) => GetAsync<KeyInfo[]>("/admin/keys", Snake, cancellationToken);

    public Task<CreatedKey> CreateKeyAsync(NewKey key, CancellationToken cancellationToken) =>
        SendAsync<CreatedKey>(HttpMethod.Post, "/admin/keys", JsonSerializer.SerializeToNode(key, Snake), Snake, cancellationToken);

    public async Task RevokeKeyAsync(string id, CancellationToken cancellationToken)
    {
        using var request = await RequestAsync(HttpMethod.Delete, $"/admin/keys/{Uri.EscapeDataString(id)}");
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    public Task<AuditPage> AuditAsync(AuditFilter filter, int offset, int limit, CancellationToken cancellationToken) =>
        GetAsync<AuditPage>($"/admin/audit?{AuditQuery(filter)}&offset={offset}&limit={limit}", Snake, cancellationToken);

    /// <summary>The audit log as CSV (<c>GET /admin/audit.csv</c>), for a download: the caller streams it on.</summary>
    public async Task<HttpResponseMessage> AuditCsvAsync(string key, AuditFilter filter, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/admin/audit.csv?{AuditQuery(filter)}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        try
        {
            await EnsureSuccessAsync(response, cancellationToken);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    internal static string AuditQuery(AuditFilter filter) => string.Join("&", new (string Name, string? Value)[]
        {
            ("caller", filter.Caller), ("server", filter.Server), ("tool", filter.Tool), ("outcome", filter.Outcome), ("source", filter.Source),
            ("from", filter.From?.UtcDateTime.ToString("O")), ("to", filter.To?.UtcDateTime.ToString("O")),
        }
        .Where(p => !string.IsNullOrWhiteSpace(p.Value))
        .Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!.Trim())}"));

    async Task<T> GetAsync<T>(string path, JsonSerializerOptions json, CancellationToken cancellationToken)
    {
        using var request = await RequestAsync(HttpMethod.Get, path);
        using var response = await http.SendAsync(request, cancellationToken);
        return await ReadAsync<T>(response, json, cancellationToken);
    }

    async Task<T> SendAsync<T>(HttpMethod method, string path, JsonNode? body, JsonSerializerOptions json, CancellationToken cancellationToken)
    {
        using var request = await RequestAsync(method, path, body is null ? null : JsonContent.Create(body));
        using var response = await http.SendAsync(request, cancellationToken);
        return await ReadAsync<T>(response, json, cancellationToken);
    }

    async Task<HttpRequestMessage> RequestAsync(HttpMethod method, string path, HttpContent? content = null)
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (DashboardUser.Key(user) is { } key)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }

    static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonSerializerOptions json, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<T>(json, cancellationToken)
            ?? throw new ProxyApiException(response.StatusCode, $"{response.RequestMessage?.RequestUri?.AbsolutePath} answered nothing.");
    }

    static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
            return;
        ThrowIfSignedOut(response);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        string? detail = null;
        try
        {
            var problem = JsonNode.Parse(body);
            detail = problem?["detail"]?.GetValue<string>() ?? problem?["title"]?.GetValue<string>();
        }
        catch (JsonException)
        {
        }
        throw new ProxyApiException(response.StatusCode,
            detail ?? $"{response.RequestMessage?.RequestUri?.AbsolutePath}: {(int)response.StatusCode} {response.ReasonPhrase}");
    }

    /// <summary>A 401 means the session's key no longer works (revoked, expired): the page sends the user to sign in.</summary>
    static void ThrowIfSignedOut(HttpResponseMessage response)
    {
        if (response.StatusCode == HttpStatusCode.Unauthorized)
            throw new SessionEndedException();
    }
}

