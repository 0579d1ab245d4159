using System.ComponentModel.DataAnnotations;

namespace McpOrch.Core.Configuration;

/// <summary>An API key from <c>security.api_keys</c>.</summary>
public sealed class ApiKeyOptions
{
    /// <summary>A name for logs and the audit trail; never the key itself.</summary>
    [Required]
    public string Name { get; set; } = "";

    /// <summary>The secret the caller presents.</summary>
    [Required]
    public string Key { get; set; } = "";

    /// <summary>What the key may do.</summary>
    [Required]
    public List<Permission> Permissions { get; set; } = [];
}
