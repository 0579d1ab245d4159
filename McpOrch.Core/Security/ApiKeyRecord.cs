namespace McpOrch.Core.Security;

/// <summary>An API key made through <c>POST /admin/keys</c> (or at first start). Only its hash is kept.</summary>
public sealed class ApiKeyRecord
{
    /// <summary>Public, for <c>DELETE /admin/keys/{id}</c>: <c>key_</c> and random characters.</summary>
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary>SHA-256 of the secret, hex: keys are long random strings, so a fast hash is enough.</summary>
    public string Hash { get; set; } = "";

    /// <summary>The first characters of the secret, so that people can tell their keys apart.</summary>
    public string Prefix { get; set; } = "";

    public Configuration.Permission Permissions { get; set; }

    /// <summary>The <see cref="ToolScope"/> as JSON; null for every tool.</summary>
    public string? Scope { get; set; }

    public int? RateLimit { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? RevokedAt { get; set; }
}
