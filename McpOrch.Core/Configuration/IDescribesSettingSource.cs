namespace McpOrch.Core.Configuration;

/// <summary>A configuration provider that can tell a person where a key's value came from.</summary>
internal interface IDescribesSettingSource
{
    /// <summary>E.g. <c>config.yaml: line 12</c> or <c>environment variable PROXY_PORT</c>.</summary>
    string Describe(string key);
}
