using System.ComponentModel.DataAnnotations;

namespace McpOrch.Core.Configuration;

/// <summary>The <c>security</c> section of <c>config.yaml</c>.</summary>
public sealed class SecurityOptions
{
    /// <summary>Whether callers must present an API key or a JWT. On by default.</summary>
    public bool EnableAuth { get; set; } = true;

    /// <summary>The keys configured in the file.</summary>
    public List<ApiKeyOptions> ApiKeys { get; set; } = [];

    /// <summary>One more key with every permission, usually from the <c>API_KEY</c> environment variable.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The HS256 secret that signs and checks JWT bearer tokens (<c>JWT_SECRET</c>).</summary>
    public string? JwtSecret { get; set; }

    /// <summary>
    /// How far ahead a JWT's <c>exp</c> may lie: a token that expires later is refused, so that one that leaks is of use
    /// for at most this long.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00", ErrorMessage = "must be between 1m and 8760h (a year)")]
    public TimeSpan JwtMaxLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Web origins (<c>https://app.example.com</c>) whose pages may call the gateway, besides its own; <c>*</c> for
    /// any. Browsers get CORS headers for exactly these; a request with any other <c>Origin</c> is refused (403).
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>
    /// The host names the gateway answers to (the <c>Host</c> header), <c>*</c> for any. Empty: on a loopback
    /// connection only loopback names (<c>localhost</c>, <c>127.0.0.1</c>, <c>[::1]</c>), which defeats DNS rebinding;
    /// on other connections any.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>The largest request body accepted; a larger one gets 413.</summary>
    [Range(1024, int.MaxValue)]
    public int MaxRequestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>The largest tool result passed on, as JSON; a larger one becomes an error that says so.</summary>
    [Range(1024, int.MaxValue)]
    public int MaxResultBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>The highest <see cref="MaxJsonDepth"/> allowed.</summary>
    public const int MaxJsonDepthLimit = 256;

    /// <summary>How deeply tool arguments and request bodies may nest.</summary>
    [Range(4, MaxJsonDepthLimit)]
    public int MaxJsonDepth { get; set; } = 64;

    /// <summary>Tool calls per minute per key (or token), unless the key sets its own; 0: no limit.</summary>
    [Range(0, 1_000_000)]
    public int RateLimit { get; set; } = 1200;

    /// <summary>How the audit log keeps a call's arguments: <c>redact</c> (names only) or <c>hash</c> (SHA-256 of the JSON).</summary>
    public AuditArguments AuditArguments { get; set; } = AuditArguments.Redact;

    /// <summary>Audit records that may wait for the database; past this, new ones are dropped and counted.</summary>
    [Range(1, 10_000_000)]
    public int AuditQueueSize { get; set; } = 10_000;

    /// <summary>Allows <c>enable_auth: false</c> on an address other than loopback (<c>--insecure</c>).</summary>
    public bool Insecure { get; set; }
}

/// <summary>What the audit log keeps of a tool call's arguments.</summary>
public enum AuditArguments
{
    /// <summary>The argument names, every value replaced by <c>***</c>.</summary>
    Redact,

    /// <summary>The SHA-256 of the arguments' JSON: equal calls can be matched without revealing them.</summary>
    Hash,
}
