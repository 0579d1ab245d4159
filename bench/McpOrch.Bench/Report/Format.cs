using System.Globalization;

namespace McpOrch.Bench.Report;

/// <summary>Numbers as the report prints them: invariant culture, about three significant digits.</summary>
public static class Format
{
    public static string Ms(double ms) => ms.ToString(ms < 1 ? "0.000" : ms < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture);

    public static string Ms(double? ms) => ms is { } value ? Ms(value) : "—";

    public static string Rate(double perSecond) => perSecond.ToString("#,0", CultureInfo.InvariantCulture);

    public static string MiB(long bytes) => (bytes / 1048576.0).ToString("0", CultureInfo.InvariantCulture);

    public static string MiB(long? bytes) => bytes is { } value ? MiB(value) : "—";

    public static string Times(double ratio) => ratio.ToString(ratio < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + "×";

    public static string Percent(double fraction) => (fraction * 100).ToString(fraction < 0.1 ? "0.0" : "0", CultureInfo.InvariantCulture) + " %";
}
