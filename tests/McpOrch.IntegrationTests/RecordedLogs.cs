using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace McpOrch.IntegrationTests;

/// <summary>A logger provider that keeps every entry, at every level, for a test to look at.</summary>
public sealed class RecordedLogs : ILoggerProvider
{
    public sealed record Entry(string Category, LogLevel Level, EventId EventId, string Message);

    readonly ConcurrentQueue<Entry> _entries = new();

    public IReadOnlyCollection<Entry> Entries => [.. _entries];

    /// <summary>A typed logger that writes here, for classes that take an <see cref="ILogger{T}"/>.</summary>
    public ILogger<T> For<T>() => new Logger<T>(new LoggerFactory([this]));

    public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, _entries);

    public void Dispose()
    {
    }

    sealed class Recorder(string category, ConcurrentQueue<Entry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue(new Entry(category, logLevel, eventId, formatter(state, exception)));
    }
}
