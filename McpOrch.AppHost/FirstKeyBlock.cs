namespace McpOrch.AppHost;

/// <summary>
/// The block in which Proxy.Api shows the API key it made on its first start (Proxy.Api/Security/FirstKey.cs), picked out
/// of its output, so that the AppHost can show it again as the last thing before "Ctrl+C stops everything.", where it is
/// not lost among hundreds of log lines, and use the key for its own commands (<see cref="ReloadCommand"/>). Not
/// thread-safe: feed it lines in order, from one place.
/// </summary>
public sealed class FirstKeyBlock
{
    List<string>? _reading;

    /// <summary>The block, from its first ruler line to its last, once it has been read whole; else null.</summary>
    public IReadOnlyList<string>? Lines { get; private set; }

    /// <summary>The key in the block, once it has been read whole; else null.</summary>
    public string? Key { get; private set; }

    /// <summary>Reads one line of Proxy.Api's output.</summary>
    public void Read(string line)
    {
        var isRuler = line.Length >= 40 && line.All(c => c == '=');
        if (_reading is null)
        {
            if (isRuler)
                _reading = [line];
            return;
        }
        _reading.Add(line);
        if (!isRuler)
            return;
        if (_reading.Any(l => l.Contains("first API key", StringComparison.Ordinal)))
        {
            // Proxy.Api's secrets start with mco_ (ApiKeys.SecretPrefix); the key stands alone on its line.
            Key = _reading.Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("mco_", StringComparison.Ordinal) && !l.Contains(' '));
            Lines = _reading;
        }
        _reading = null;
    }
}
