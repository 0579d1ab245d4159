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
}
