using System.Text.Json;
using Microsoft.OpenApi;

namespace Proxy.Api.Apis;

/// <summary>
/// Request bodies are JSON whatever their <c>Content-Type</c> says: <c>curl -d '{...}'</c> sends
/// <c>application/x-www-form-urlencoded</c>, and refusing it (415, the framework's answer to <c>Accepts</c> metadata)
/// helps nobody. A body that does not parse gets the parser's message and where it stopped.
/// </summary>
public static class JsonBody
{
    /// <summary>The body's JSON, or null for an empty body; or why it is not JSON (a sentence for a problem's detail).</summary>
    public static async Task<(JsonElement? Json, string? Error)> ReadAsync(HttpRequest request, int maxDepth, CancellationToken cancellationToken)
    {
        // Bounded by security.max_request_bytes (Kestrel's limit); the parser would buffer it all anyway.
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        var body = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (body.Span.Trim(" \t\r\n"u8).IsEmpty)
            return (null, null);
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = maxDepth });
            return (document.RootElement.Clone(), null);
        }
        catch (JsonException e)
        {
            return (null, NestsTooDeep(body.Span, e)
                ? $"The body nests deeper than security.max_json_depth ({maxDepth} levels) at {Position(e)}."
                : $"The body is not valid JSON at {Position(e)}: {Message(e)}");
        }
    }

    /// <summary>The body as a <typeparamref name="T"/> (default for an empty body), or why it is not one.</summary>
    /// <param name="options">Its <c>MaxDepth</c> must not be below security.max_json_depth, which the body was held to already.</param>
    public static async Task<(T? Value, string? Error)> ReadAsync<T>(HttpRequest request, int maxDepth, JsonSerializerOptions options,
        CancellationToken cancellationToken)
    {
        var (json, error) = await ReadAsync(request, maxDepth, cancellationToken);
        if (json is not { } element)
            return (default, error);
        try
        {
            return (element.Deserialize<T>(options), null);
        }
        catch (JsonException e)
        {
            return (default, $"The body does not fit at {e.Path} ({Position(e)}): {Message(e)}");
        }
    }

    /// <summary>
    /// Describes the body in the OpenAPI document as <typeparamref name="T"/> in <c>application/json</c> (a named
    /// schema of the document's components, as <c>Accepts</c> would make it), without the <c>Accepts</c> metadata that
    /// would make routing refuse other content types.
    /// </summary>
    public static RouteHandlerBuilder AcceptsJson<T>(this RouteHandlerBuilder route, bool required = true) =>
        route.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            IOpenApiSchema schema = await context.GetOrCreateSchemaAsync(typeof(T), null, cancellationToken);
            if (!typeof(T).IsGenericType && context.Document is { } document)
            {
                document.AddComponent(typeof(T).Name, schema);
                schema = new OpenApiSchemaReference(typeof(T).Name, document);
            }
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = required,
                Description = "JSON, whatever the Content-Type header says.",
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
            };
        });

    /// <summary>Whether only the depth limit stopped the parser: without it, the body parses, or fails elsewhere.</summary>
    static bool NestsTooDeep(ReadOnlySpan<byte> body, JsonException failure)
    {
        // The reader keeps one bit per level, so reading deep input costs little; only building a document from it would.
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = int.MaxValue });
        try
        {
            while (reader.Read())
            {
            }
            return true;
        }
        catch (JsonException e)
        {
            return (e.LineNumber, e.BytePositionInLine) != (failure.LineNumber, failure.BytePositionInLine);
        }
    }

    /// <summary>Where the parser stopped, counted from 1 as editors do.</summary>
    static string Position(JsonException e) =>
        e is { LineNumber: { } line, BytePositionInLine: { } position } ? $"line {line + 1}, byte {position + 1}" : "an unknown position";

    /// <summary>The parser's message without the position and path it appends (given in words instead).</summary>
    static string Message(JsonException e)
    {
        var message = e.Message;
        foreach (var suffix in new[] { " Path: ", " LineNumber: " })
            if (message.IndexOf(suffix, StringComparison.Ordinal) is >= 0 and var at)
                message = message[..at];
        return message;
    }
}
