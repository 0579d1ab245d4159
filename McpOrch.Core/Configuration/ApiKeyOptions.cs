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

    /// <summary>Glob patterns of the servers whose tools the key sees and calls (<c>github</c>, <c>files-*</c>); empty for all.</summary>
    public List<string> Servers { get; set; } = [];

    /// <summary>Glob patterns of the tools the key sees and calls, by their namespaced name (<c>github.list_*</c>); empty for all.</summary>
    public List<string> Tools { get; set; } = [];

    /// <summary>Tool calls per minute for this key; unset: <c>security.rate_limit</c>.</summary>
    [Range(1, 1_000_000)]
    public int? RateLimit { get; set; }
}
