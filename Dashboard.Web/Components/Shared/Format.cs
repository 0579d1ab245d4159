using System.Globalization;

namespace Dashboard.Web.Components.Shared;

/// <summary>Numbers and times as a person reads them.</summary>
public static class Format
{
    public static string Duration(double? seconds) => seconds switch
    {
        null => "—",
        < 60 => $"{seconds:0} s",
        < 3600 => $"{seconds / 60:0} min",
        < 86400 => $"{seconds / 3600:0.#} h",
        _ => $"{seconds / 86400:0.#} d",
    };

    public static string Milliseconds(double? ms) => ms switch
    {
        null => "—",
        < 10 => $"{ms:0.##} ms",
        < 1000 => $"{ms:0} ms",
        _ => $"{ms / 1000:0.##} s",
    };

    public static string Time(DateTime? utc) => utc is { } t ? t.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "—";
}
