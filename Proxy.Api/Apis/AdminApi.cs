using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using McpOrch.Core.Configuration;
using McpOrch.Core.Runs;
using McpOrch.Core.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Proxy.Api.Security;

namespace Proxy.Api.Apis;

/// <summary>API keys and the audit log. Every endpoint needs the write permission.</summary>
public static class AdminApi
{
    /// <summary>snake_case, as the batch API's bodies are. A body was held to security.max_json_depth when it was parsed.</summary>
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        MaxDepth = SecurityOptions.MaxJsonDepthLimit,
    };

    const string KeyExample = """{"name": "ci", "permissions": ["read", "execute"], "tools": ["github.list_*"], "rate_limit": 60}""";

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/admin").WithTags("Admin").Requires(Permission.Write);
        admin.MapPost("/keys", CreateKey).WithSummary("Make an API key; its secret is in this answer and nowhere else")
            .AcceptsJson<NewKey>()
            .Produces<CreatedKey>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        admin.MapGet("/keys", ListKeys).WithSummary("Every key: configured ones and made ones, revoked ones marked; never a secret")
            .Produces<ApiKeyInfo[]>();
        admin.MapDelete("/keys/{id}", RevokeKey).WithSummary("Revoke a made key: it stops working at once here, within 5 s on other replicas")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        admin.MapGet("/audit", Audit).WithSummary("Tool calls, newest first; filter by caller, server, tool, outcome, source, from, to")
            .Produces<AuditPage>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        admin.MapGet("/audit.csv", AuditCsvExport).WithSummary($"The same calls as one CSV file with a header row, newest first, at most {AuditCsv.MaxRows}")
            .Produces<string>(StatusCodes.Status200OK, "text/csv")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return routes;
    }

    /// <summary>The body of <c>POST /admin/keys</c>.</summary>
    public sealed record NewKey(string? Name, List<string>? Permissions, List<string>? Servers, List<string>? Tools, int? RateLimit);

    /// <summary>A key just made: <see cref="Key"/> is the secret, shown this once.</summary>
    public sealed record CreatedKey(string Id, string Name, string Key, string Prefix, IReadOnlyList<string> Permissions,
        IReadOnlyList<string> Servers, IReadOnlyList<string> Tools, int? RateLimit, DateTime? CreatedAt, string Note);

    public sealed record AuditPage(IReadOnlyList<AuditRecord> Items, int Total, int Offset, int Limit);

    public static async Task<IResult> CreateKey(HttpRequest http, ApiKeys keys, IOptions<OrchOptions> options, CancellationToken cancellationToken)
    {
        var (body, error) = await JsonBody.ReadAsync<NewKey>(http, options.Value.Security.MaxJsonDepth, Json, cancellationToken);
        if (error is not null)
            return BadRequest($"{error} Send e.g. {KeyExample}.");
        var problems = new List<string>();
        var name = body?.Name?.Trim() ?? "";
        if (name.Length is 0 or > 128)
            problems.Add("name: give the key a name of 1 to 128 characters (it appears in the audit log; it is not the secret).");
        var permissions = Permission.None;
        foreach (var permission in body?.Permissions ?? [])
            if (PermissionNames.TryParse(permission, out var parsed))
                permissions |= parsed;
            else
                problems.Add($"permissions: '{permission}' is not one: they are read, execute and write.");
        if (body?.Permissions is not { Count: > 0 })
            problems.Add("permissions: give at least one of read, execute and write.");
        foreach (var pattern in (body?.Servers ?? []).Concat(body?.Tools ?? []))
            if (string.IsNullOrWhiteSpace(pattern) || pattern.Length > 200)
                problems.Add($"servers/tools: '{pattern}' is not a pattern: use names with * and ?, e.g. github or github.list_*.");
        if (body?.RateLimit is < 1 or > 1_000_000)
            problems.Add("rate_limit: tool calls per minute, from 1 to 1000000; leave it out for security.rate_limit.");
        if (problems.Count > 0)
            return TypedResults.Problem($"The key was not made. {string.Join(" ", problems)} Example: {KeyExample}",
                statusCode: StatusCodes.Status400BadRequest, title: "Invalid key", extensions: new Dictionary<string, object?> { ["errors"] = problems });

        var (key, secret) = await keys.CreateAsync(name, permissions, new ToolScope(body!.Servers ?? [], body.Tools ?? []), body.RateLimit, cancellationToken);
        return TypedResults.Json(new CreatedKey(key.Id, key.Name, secret, key.Prefix!, key.Permissions, key.Servers, key.Tools, key.RateLimit, key.CreatedAt,
                "The key is shown only now: store it. Only its hash is kept."),
            Json, statusCode: StatusCodes.Status201Created);
    }

    public static async Task<IResult> ListKeys(ApiKeys keys, CancellationToken cancellationToken) =>
        TypedResults.Json(await keys.ListAsync(cancellationToken), Json);

    public static async Task<IResult> RevokeKey(string id, ApiKeys keys, CancellationToken cancellationToken)
    {
        try
        {
            return await keys.RevokeAsync(id, cancellationToken) is null
                ? TypedResults.Problem($"No key has the id '{id}': GET /admin/keys lists them.", statusCode: StatusCodes.Status404NotFound, title: "Unknown key")
                : TypedResults.NoContent();
        }
        catch (InvalidOperationException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status409Conflict, title: "Configured key");
        }
    }

    public static async Task<IResult> Audit(OrchDbContext db, [AsParameters] AuditFilter filter, CancellationToken cancellationToken,
        int offset = 0, int limit = 50)
    {
        if (offset < 0 || limit is < 1 or > 500)
            return BadRequest("offset must be 0 or more, and limit between 1 and 500.");
        if (!filter.TryApply(db.Audit.AsNoTracking(), out var records, out var problem))
            return BadRequest(problem);
        var total = await records.CountAsync(cancellationToken);
        var page = await records.OrderByDescending(a => a.Id).Skip(offset).Take(limit).ToListAsync(cancellationToken);
        foreach (var record in page)
            record.At = DateTime.SpecifyKind(record.At, DateTimeKind.Utc);
        return TypedResults.Json(new AuditPage(page, total, offset, limit), Json);
    }

    /// <summary>
    /// The records <see cref="Audit"/> would page through, newest first, as one CSV file (RFC 4180, a header row), streamed
    /// as they are read: at most <see cref="AuditCsv.MaxRows"/>; <c>X-Total-Count</c> says how many matched.
    /// </summary>
    public static async Task<IResult> AuditCsvExport(HttpContext http, OrchDbContext db, TimeProvider time, [AsParameters] AuditFilter filter,
        CancellationToken cancellationToken)
    {
        if (!filter.TryApply(db.Audit.AsNoTracking(), out var records, out var problem))
            return BadRequest(problem);
        http.Response.Headers["X-Total-Count"] = (await records.CountAsync(cancellationToken)).ToString(CultureInfo.InvariantCulture);
        var rows = records.OrderByDescending(a => a.Id).Take(AuditCsv.MaxRows).AsAsyncEnumerable();
        return TypedResults.Stream(body => AuditCsv.WriteAsync(body, rows, cancellationToken), "text/csv; charset=utf-8",
            $"audit-{time.GetUtcNow():yyyyMMdd'T'HHmmss'Z'}.csv");
    }

    static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid request");
}
