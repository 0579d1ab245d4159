using McpOrch.Core.Configuration;

namespace McpOrch.Core.Upstreams;

/// <summary>
/// Replaces a server's configured secrets with <c>***</c> in text meant for people: its environment values, header
/// values (and the token of a <c>Bearer</c> header, the token and password of a <c>Basic</c> one, where the URL's
/// password is), and the query values of its URL. A server that prints its environment, or an error that quotes a
/// request, then shows no credential in logs (see <see cref="ServerSecrets"/>), errors or the API.
/// Values shorter than <see cref="MinLength"/> characters are left alone: replacing every "1" would garble the text.
/// </summary>
public sealed class SecretRedactor
{
    public const int MinLength = 4;
    const string Mask = "***";

    readonly string[] _secrets;

    public SecretRedactor(IEnumerable<string?> secrets) =>
        _secrets = [.. secrets.OfType<string>().Where(s => s.Length >= MinLength).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length)];

    /// <summary>The secrets of <paramref name="servers"/>' configuration.</summary>
    public static SecretRedactor For(params IEnumerable<McpServerDefinition> servers) => new(servers.SelectMany(SecretsOf));

    /// <summary>These secrets and those of <paramref name="servers"/>.</summary>
    public SecretRedactor With(IEnumerable<McpServerDefinition> servers) => new([.. _secrets, .. servers.SelectMany(SecretsOf)]);

    /// <summary>Whether there is nothing to redact.</summary>
    internal bool IsEmpty => _secrets.Length == 0;

    static List<string?> SecretsOf(McpServerDefinition server)
    {
        var secrets = new List<string?>(server.Env.Values);
        foreach (var value in server.Headers.Values)
        {
            secrets.Add(value);
            var (scheme, token) = value.Split(' ', 2) is [var first, var rest] ? (first, rest.Trim()) : ("", "");
            if (scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
                secrets.Add(token);
            else if (scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
                secrets.AddRange([token, PasswordOf(token)]);
        }
        // A query value as the URL has it (a logged URL shows it so) and as the server reads it.
        foreach (var pair in server.Url?.Query.TrimStart('?').Split('&') ?? [])
            if (pair.Split('=', 2) is [_, var value])
                secrets.AddRange([value, Uri.UnescapeDataString(value)]);
        return secrets;
    }

    /// <summary>The password of a Basic credential (base64 of <c>user:password</c>), the URL's when it came from there.</summary>
    static string? PasswordOf(string basic)
    {
        var bytes = new byte[basic.Length];
        return Convert.TryFromBase64String(basic, bytes, out var length)
            ? System.Text.Encoding.UTF8.GetString(bytes, 0, length).Split(':', 2).ElementAtOrDefault(1)
            : null;
    }

    public string Redact(string text)
    {
        foreach (var secret in _secrets)
            if (text.Contains(secret, StringComparison.Ordinal))
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
        return text;
    }
}
