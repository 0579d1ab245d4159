namespace McpOrch.Core.Upstreams;

/// <summary>
/// The last lines a configured stdio server wrote to stderr in this process, redacted as every log line is
/// (<see cref="ServerSecrets"/>), with an entry marking each start of its process. It belongs to the configured server,
/// not to one process: it outlives the restarts of supervision, and a reload that restarts the server with a changed
/// definition hands it on. Bounded: the newest <see cref="Capacity"/> entries, each cut to <see cref="MaxLineLength"/> characters.
/// </summary>
/// <param name="redact">Replaces the servers' secrets with <c>***</c>.</param>
/// <param name="time">The clock of the time stamps.</param>
public sealed class StandardErrorLog(Func<string, string> redact, TimeProvider time)
{
    /// <summary>The entries kept: lines and start marks.</summary>
    public const int Capacity = 200;

    /// <summary>The longest text kept of one line; the rest is cut, and the cut marked with an ellipsis.</summary>
    public const int MaxLineLength = 2000;

    /// <summary><see cref="StandardErrorLine.Kind"/> of a line the server wrote.</summary>
    public const string LineKind = "stderr";

    /// <summary><see cref="StandardErrorLine.Kind"/> of the mark of a start of its process.</summary>
    public const string StartKind = "start";

    readonly Lock _lock = new();
    readonly StandardErrorLine[] _entries = new StandardErrorLine[Capacity];
    long _written;
    int _process;
    string? _handedOnBecause;

    /// <summary>Its process is being started: marks it, with why the one before ended (<paramref name="after"/>) if there was one.</summary>
    public void ProcessStarting(string? after)
    {
        lock (_lock)
        {
            var reason = after ?? _handedOnBecause;
            _handedOnBecause = null;
            _process++;
            Append(StartKind, _process == 1 ? "process 1 started" : $"process {_process} started{(reason is null ? "" : $", after: {reason}")}");
        }
    }

    /// <summary>The next start is of a new connection the log was handed on to, because of <paramref name="reason"/>.</summary>
    public void HandOn(string reason)
    {
        lock (_lock)
            _handedOnBecause = reason;
    }

    /// <summary>A line the server wrote to stderr.</summary>
    public void Write(string line)
    {
        lock (_lock)
            Append(LineKind, line);
    }

    /// <summary>The newest <paramref name="count"/> entries (at most <see cref="Capacity"/>), the oldest first.</summary>
    public IReadOnlyList<StandardErrorLine> Last(int count)
    {
        lock (_lock)
        {
            var take = (int)Math.Min(Math.Clamp(count, 0, Capacity), _written);
            return [.. Enumerable.Range(0, take).Select(i => _entries[(int)((_written - take + i) % Capacity)])];
        }
    }

    void Append(string kind, string text)
    {
        // Redacted whole, then cut: a cut through a secret would leave its start unredacted.
        text = redact(text);
        if (text.Length > MaxLineLength)
            text = text[..MaxLineLength] + "…";
        _entries[(int)(_written % Capacity)] = new StandardErrorLine(time.GetUtcNow().UtcDateTime, kind, text, _process);
        _written++;
    }
}
