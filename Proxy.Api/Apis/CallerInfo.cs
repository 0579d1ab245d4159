using System.Text.Json.Serialization;
using McpOrch.Core.Security;

namespace Proxy.Api.Apis;

/// <summary>The caller as <c>GET /me</c> shows it.</summary>
/// <param name="Id">Stable: <c>config:{name}</c>, <c>environment:API_KEY</c>, <c>key_…</c> (a made key: its id in <c>/admin/keys</c>), <c>jwt:{sub}</c> or <c>anonymous</c>.</param>
/// <param name="Name">As the audit log names it.</param>
/// <param name="Source"><c>environment</c>, <c>config</c>, <c>admin</c> (a made key), <c>jwt</c> or <c>anonymous</c> (authentication off).</param>
/// <param name="Permissions">Of <c>read</c>, <c>execute</c> and <c>write</c>.</param>
/// <param name="Servers">The allow-list's server patterns; empty: every server.</param>
/// <param name="Tools">The allow-list's tool patterns; empty: every tool.</param>
/// <param name="RateLimit">Tool calls per minute that apply: the credential's own, else <c>security.rate_limit</c>; 0 for no limit.</param>
public sealed record CallerInfo(string Id, string Name, string Source, IReadOnlyList<string> Permissions, IReadOnlyList<string> Servers,
    IReadOnlyList<string> Tools, [property: JsonPropertyName("rate_limit")] int RateLimit)
{
    public static CallerInfo From(Caller caller, int defaultRateLimit) => new(caller.Id, caller.Name, caller.Source,
        PermissionNames.Of(caller.Permissions), caller.Scope.Servers, caller.Scope.Tools, caller.RateLimit ?? defaultRateLimit);
}
