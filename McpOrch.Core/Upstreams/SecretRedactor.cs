using Microsoft.Extensions.Logging;

namespace McpOrch.Core.Upstreams;

/// <summary>
/// Replaces a server's configured secrets with <c>***</c> in text meant for people: its environment values, header
/// values (and the token of a <c>Bearer</c> header, the token and password of a <c>Basic</c> one, where the URL's
/// password is), and the query values of its URL. A server that prints its environment, or an error that quotes a
/// request, then shows no credential in logs, errors or the API.
/// Values shorter than <see cref="MinLength"/> characters are left alone: replacing every "1" would garble the text.
/// </summary>
public sealed class SecretRedactor
{
    public const int MinLength = 4;
    const string Mask = "***";

    readonly string[] _secrets;

    public SecretRedactor(IEnumerable<string?> secrets) =>
        _secrets = [.. secrets.OfType<string>().Where(s => s.Length >= MinLength).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length)];

    /// <summary>The secrets of <paramref name="server"/>'s configuration.</summary>
    public static SecretRedactor For(Configuration.McpServerDefinition server)
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
        if (server.Url is { } url)
            secrets.AddRange(url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
                .Select(pair => Uri.UnescapeDataString(pair.Split('=', 2).ElementAtOrDefault(1) ?? "")));
        return new SecretRedactor(secrets);
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

    /// <summary>Loggers whose messages and string fields are redacted, for the SDK's logging about this server and for ours.</summary>
    public ILoggerFactory Wrap(ILoggerFactory inner) => _secrets.Length == 0 ? inner : new RedactingLoggerFactory(inner, this);

    sealed class RedactingLoggerFactory(ILoggerFactory inner, SecretRedactor redactor) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName), redactor);

        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

        public void Dispose()
        {
            // The host owns the inner factory.
        }
    }

    sealed class RedactingLogger(ILogger inner, SecretRedactor redactor) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel))
                return;
            var message = redactor.Redact(formatter(state, exception));
            // Structured fields go to exporters as they are: they are redacted too; the exception keeps its type and stack, its message is in ours.
            IReadOnlyList<KeyValuePair<string, object?>> fields = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? [.. pairs.Select(p => new KeyValuePair<string, object?>(p.Key, p.Value is string s && p.Key != "{OriginalFormat}" ? redactor.Redact(s) : p.Value))]
                : [];
            var redactedException = exception is null ? null : new RedactedException(redactor.Redact(exception.Message), exception.GetType().FullName);
            inner.Log(logLevel, eventId, fields, redactedException, (_, _) => message);
        }
    }

    /// <summary>An exception as a log may show it: its type's name and a redacted message.</summary>
    sealed class RedactedException(string message, string? type) : Exception($"{type}: {message}");
}
