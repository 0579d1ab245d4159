using System.Text.Encodings.Web;
using System.Text.Json;

namespace Dashboard.Web.Components.Shared;

/// <summary>JSON for people: indented, and with its characters as they are (no \u escapes of quotes or accents).</summary>
public static class JsonFormat
{
    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
