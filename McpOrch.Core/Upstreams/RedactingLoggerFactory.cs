using Microsoft.Extensions.Logging;

namespace McpOrch.Core.Upstreams;

/// <summary>
/// Loggers whose lines pass through the current <see cref="SecretRedactor"/>: the message, the structured fields
/// exporters send (strings and URIs), and the text of an exception.
/// </summary>
sealed class RedactingLoggerFactory(ILoggerFactory inner, Func<SecretRedactor> current) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName), current);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();

    sealed class RedactingLogger(ILogger inner, Func<SecretRedactor> current) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var redactor = current();
            if (redactor.IsEmpty)
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
                return;
            }
            if (!inner.IsEnabled(logLevel))
                return;
            var message = redactor.Redact(formatter(state, exception));
            IReadOnlyList<KeyValuePair<string, object?>> fields = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? [.. pairs.Select(p => p.Key != "{OriginalFormat}" && p.Value is string or Uri ? new(p.Key, redactor.Redact(p.Value.ToString()!)) : p)]
                : [];
            inner.Log(logLevel, eventId, fields, Redacted(exception, redactor), (_, _) => message);
        }

        /// <summary>An exception whose text (type, message, inner exceptions, stack) holds a secret, as that text redacted.</summary>
        static Exception? Redacted(Exception? exception, SecretRedactor redactor) =>
            exception?.ToString() is { } text && redactor.Redact(text) is var redacted && redacted != text ? new RedactedException(redacted) : exception;
    }

    sealed class RedactedException(string text) : Exception(text);
}
