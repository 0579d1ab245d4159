using Microsoft.Extensions.Logging;

namespace McpOrch.BatchBench.Systems;

/// <summary>The output of every process the benchmark starts, one file, each line with the time and the process's name.</summary>
public sealed class FileLog(string path) : ILogger, IDisposable
{
    readonly StreamWriter _writer = new(path) { AutoFlush = true };
    readonly Lock _lock = new();
    bool _closed;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lock)
            if (!_closed)
                _writer.WriteLine($"{DateTime.Now:HH:mm:ss.fff} {formatter(state, exception)}{(exception is null ? "" : $" {exception}")}");
    }

    public bool IsEnabled(LogLevel logLevel) => true;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public void Dispose()
    {
        lock (_lock)
        {
            _closed = true;
            _writer.Dispose();
        }
    }
}
