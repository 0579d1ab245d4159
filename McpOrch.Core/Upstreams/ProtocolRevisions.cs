namespace McpOrch.Core.Upstreams;

/// <summary>The MCP revisions the gateway tells apart. Revisions are dates: they compare as text.</summary>
public static class ProtocolRevisions
{
    /// <summary>
    /// 2026-07-28: no <c>initialize</c> or sessions; <c>subscriptions/listen</c> instead of <c>logging/setLevel</c>
    /// and <c>resources/subscribe</c>; server requests to the client as <c>input_required</c> results.
    /// </summary>
    public const string Sessionless = "2026-07-28";

    /// <summary>Whether <paramref name="revision"/> is 2026-07-28 or later.</summary>
    public static bool IsSessionless(string? revision) => string.CompareOrdinal(revision, Sessionless) >= 0;
}
