using System.Globalization;

namespace McpOrch.Core.Configuration;

/// <summary>
/// Durations as users write them in both files: a plain number of seconds (<c>300</c>),
/// a number with a unit (<c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>) or a TimeSpan (<c>00:05:00</c>).
/// </summary>
internal static class Durations
{
    public const string Units = "seconds (300) or a number with a unit (500ms, 30s, 5m, 1h)";
    public const string Expected = "a duration: " + Units;

    public static bool TryParse(string text, out TimeSpan duration)
    {
        text = text.Trim();
        duration = default;
        var (number, scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (text[..^2], 0.001),
            _ when text.EndsWith('s') || text.EndsWith('S') => (text[..^1], 1.0),
            _ when text.EndsWith('m') || text.EndsWith('M') => (text[..^1], 60.0),
            _ when text.EndsWith('h') || text.EndsWith('H') => (text[..^1], 3600.0),
            _ => (text, 1.0),
        };
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            if (!double.IsFinite(value) || value * scale > TimeSpan.MaxValue.TotalSeconds)
                return false;
            duration = TimeSpan.FromSeconds(value * scale);
            return true;
        }
        return text.Contains(':') && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration);
    }
}
