using System.ComponentModel;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace McpOrch.ConformanceServer;

/// <summary>The resources and the resource template of the resources-* scenarios.</summary>
[McpServerResourceType]
public sealed class ConformanceResources
{
    [McpServerResource(UriTemplate = "test://static-text", Name = "static-text", MimeType = "text/plain"), Description("A static text resource.")]
    public static string StaticText() => "This is the content of the static text resource.";

    [McpServerResource(UriTemplate = "test://static-binary", Name = "static-binary", MimeType = "image/png"), Description("A static binary resource (a 1x1 PNG).")]
    public static BlobResourceContents StaticBinary() =>
        new() { Uri = "test://static-binary", MimeType = "image/png", Blob = System.Text.Encoding.UTF8.GetBytes(Conformance.PngBase64) };

    [McpServerResource(UriTemplate = "test://watched-resource", Name = "watched-resource", MimeType = "text/plain"), Description("A resource clients can subscribe to.")]
    public static string WatchedResource() => "Watched resource content";

    [McpServerResource(UriTemplate = "test://template/{id}/data", Name = "template-data", MimeType = "application/json"), Description("JSON data for the given id.")]
    public static TextResourceContents TemplateData(string id) => new()
    {
        Uri = $"test://template/{id}/data",
        MimeType = "application/json",
        Text = new JsonObject { ["id"] = id, ["templateTest"] = true, ["data"] = $"Data for ID: {id}" }.ToJsonString(),
    };
}
