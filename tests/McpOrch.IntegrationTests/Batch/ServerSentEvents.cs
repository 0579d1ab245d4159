using System.Net.ServerSentEvents;
using System.Text.Json.Nodes;

namespace McpOrch.IntegrationTests.Batch;

/// <summary>Reads <c>text/event-stream</c> responses as a browser's EventSource would.</summary>
static class ServerSentEvents
{
    public sealed record Event(string Id, string Type, JsonObject Data);

    /// <summary>The events of <paramref name="path"/> until the server ends the stream, or only the first <paramref name="stopAfter"/>.</summary>
    public static async Task<IReadOnlyList<Event>> ReadAsync(HttpClient http, string path, string? lastEventId, int? stopAfter)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null)
            request.Headers.Add("Last-Event-ID", lastEventId);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
        var events = new List<Event>();
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(timeout.Token))
        {
            events.Add(new Event(item.EventId ?? "", item.EventType, JsonNode.Parse(item.Data)!.AsObject()));
            if (events.Count == stopAfter)
                break;
        }
        return events;
    }
}
