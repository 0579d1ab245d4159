using System.Text.Json;
using System.Text.Json.Serialization;
using McpOrch.Core.Configuration;

namespace McpOrch.Core.Security;

/// <summary>Who made a request, after authentication: an API key or a JWT's subject.</summary>
/// <param name="Id">Stable and unique: MCP sessions are bound to it.</param>
/// <param name="Name">For the audit log and messages; never a secret.</param>
/// <param name="Permissions">What it may do.</param>
/// <param name="Scope">The tools it sees and calls.</param>
/// <param name="RateLimit">Tool calls per minute; null for <c>security.rate_limit</c>, 0 for no limit.</param>
public sealed record Caller(string Id, string Name, Permission Permissions, ToolScope Scope, int? RateLimit = null)
{
    /// <summary>Everyone, when authentication is off (and the local user of the stdio transport).</summary>
    public static Caller Anonymous { get; } = new("anonymous", "anonymous", Permission.All, ToolScope.Everything, RateLimit: 0);

    public bool Has(Permission permission) => (Permissions & permission) == permission;

    /// <summary>
    /// Where the credential comes from, in the words of <see cref="ApiKeyInfo.Source"/>: <c>environment</c> (API_KEY),
    /// <c>config</c> (security.api_keys), <c>admin</c> (made through the admin API or at first start); and <c>jwt</c> for a
    /// token's subject, <c>anonymous</c> with authentication off (and over stdio). Read from <see cref="Id"/>, whose form
    /// each kind fixes (docs/security.md, "Credentials").
    /// </summary>
    [JsonIgnore]
    public string Source => Id switch
    {
        "anonymous" => "anonymous",
        _ when Id.StartsWith("jwt:", StringComparison.Ordinal) => "jwt",
        _ when Id.StartsWith("config:", StringComparison.Ordinal) => "config",
        _ when Id.StartsWith("environment:", StringComparison.Ordinal) => "environment",
        _ => "admin",
    };

    /// <summary>The caller as a run keeps it (<see cref="Runs.RunRecord.Caller"/>).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonSerializerOptions.Web);

    /// <summary>The caller a run kept; <see cref="Anonymous"/> for a run that kept none.</summary>
    public static Caller FromJson(string? json) => json is null ? Anonymous : JsonSerializer.Deserialize<Caller>(json, JsonSerializerOptions.Web) ?? Anonymous;
}
