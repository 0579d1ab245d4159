using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Proxy.Api.Mcp;

/// <summary>
/// An event store whose resumption (GET with Last-Event-ID) waits up to <see cref="Patience"/> for an event when
/// there is none yet. SDK 2.3.1 ends the GET of a stream in polling mode as soon as the stored events are sent,
/// expecting the client to poll again; a client that reconnects once, right after the stream closed, wants the
/// answer on that one GET (the conformance suite's server-sse-polling does). Shared with tests/McpOrch.ConformanceServer.
/// </summary>
public sealed class WaitingEventStreamStore(ISseEventStreamStore inner) : ISseEventStreamStore
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(3);

    public ValueTask<ISseEventStreamWriter> CreateStreamAsync(SseEventStreamOptions options, CancellationToken cancellationToken = default) =>
        inner.CreateStreamAsync(options, cancellationToken);

    public async ValueTask<ISseEventStreamReader?> GetStreamReaderAsync(string lastEventId, CancellationToken cancellationToken = default) =>
        await inner.GetStreamReaderAsync(lastEventId, cancellationToken) is { } reader ? new Reader(inner, reader, lastEventId) : null;

    sealed class Reader(ISseEventStreamStore store, ISseEventStreamReader first, string lastEventId) : ISseEventStreamReader
    {
        public string SessionId => first.SessionId;

        public string StreamId => first.StreamId;

        public async IAsyncEnumerable<SseItem<JsonRpcMessage?>> ReadEventsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var deadline = DateTime.UtcNow + Patience;
            for (var reader = first; reader is not null; reader = await store.GetStreamReaderAsync(lastEventId, cancellationToken))
            {
                var any = false;
                await foreach (var item in reader.ReadEventsAsync(cancellationToken))
                {
                    any = true;
                    yield return item;
                }
                if (any || DateTime.UtcNow > deadline)
                    yield break;
                await Task.Delay(50, cancellationToken);
            }
        }
    }
}
