using System.Net;
using McpOrch.LocalServers;

namespace McpOrch.Testing;

/// <summary>
/// A local OTLP/HTTP endpoint (protobuf) that keeps the spans it receives: the service that sent each, its name and
/// its trace; and the text of all it received. Give services <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> = <see cref="Endpoint"/>
/// and <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> = <c>http/protobuf</c>.
/// </summary>
public sealed class OtlpReceiver : IDisposable
{
    readonly HttpListener _listener = new();
    readonly List<Span> _spans = [];
    readonly HashSet<(string Service, string Metric)> _metrics = [];
    readonly System.Text.StringBuilder _received = new();

    /// <summary>One received span.</summary>
    public sealed record Span(string Service, string Name, string TraceId, string SpanId, string ParentSpanId);

    public OtlpReceiver()
    {
        var port = LoopbackPort.FindFree();
        Endpoint = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Endpoint + "/");
        _listener.Start();
        _ = ReceiveAsync();
    }

    public string Endpoint { get; }

    public IReadOnlyList<Span> Spans
    {
        get { lock (_spans) return [.. _spans]; }
    }

    /// <summary>The names of the metrics received, with the service that sent each.</summary>
    public IReadOnlyCollection<(string Service, string Metric)> Metrics
    {
        get { lock (_metrics) return [.. _metrics]; }
    }

    /// <summary>Every export received (traces, metrics, logs) read as UTF-8: protobuf keeps strings as they are, so any text sent is in it.</summary>
    public string Received
    {
        get { lock (_received) return _received.ToString(); }
    }

    async Task ReceiveAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            context.Response.StatusCode = (int)HttpStatusCode.OK;
            context.Response.Close();
            lock (_received)
                _received.AppendLine(System.Text.Encoding.UTF8.GetString(body.ToArray()));
            if (context.Request.Url!.AbsolutePath == "/v1/traces")
                lock (_spans)
                    _spans.AddRange(ReadTraces(body.ToArray()));
            else if (context.Request.Url.AbsolutePath == "/v1/metrics")
                lock (_metrics)
                    _metrics.UnionWith(ReadMetricNames(body.ToArray()));
        }
    }

    /// <summary>ExportMetricsServiceRequest → resource_metrics(1) → resource(1), scope_metrics(2) → metrics(2) → name(1).</summary>
    static IEnumerable<(string Service, string Metric)> ReadMetricNames(byte[] request) =>
        from resourceMetrics in Fields(request).Where(f => f.Number == 1)
        let service = ServiceName(resourceMetrics.Bytes)
        from scopeMetrics in Fields(resourceMetrics.Bytes).Where(f => f.Number == 2)
        from metric in Fields(scopeMetrics.Bytes).Where(f => f.Number == 2)
        from name in Fields(metric.Bytes).Where(f => f.Number == 1)
        select (service, System.Text.Encoding.UTF8.GetString(name.Bytes));

    /// <summary>The service.name attribute of the resource(1) of a ResourceSpans or ResourceMetrics.</summary>
    static string ServiceName(byte[] resourceData) =>
        Fields(resourceData).Where(f => f.Number == 1)
            .SelectMany(resource => Fields(resource.Bytes).Where(f => f.Number == 1))
            .Select(Attribute).FirstOrDefault(a => a.Key == "service.name").Value ?? "";

    /// <summary>ExportTraceServiceRequest → resource_spans(1) → resource(1).attributes(1), scope_spans(2) → spans(2).</summary>
    static IEnumerable<Span> ReadTraces(byte[] request)
    {
        foreach (var resourceSpans in Fields(request).Where(f => f.Number == 1))
        {
            var service = ServiceName(resourceSpans.Bytes);
            foreach (var scopeSpans in Fields(resourceSpans.Bytes).Where(f => f.Number == 2))
                foreach (var span in Fields(scopeSpans.Bytes).Where(f => f.Number == 2))
                {
                    var fields = Fields(span.Bytes).ToList();
                    string Hex(int number) => Convert.ToHexString(fields.FirstOrDefault(f => f.Number == number).Bytes ?? []);
                    var name = fields.FirstOrDefault(f => f.Number == 5).Bytes is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes) : "";
                    yield return new Span(service, name, Hex(1), Hex(2), Hex(4));
                }
        }
    }

    /// <summary>KeyValue: key(1), value(2) → AnyValue.string_value(1).</summary>
    static (string Key, string? Value) Attribute((int Number, byte[] Bytes) field)
    {
        var parts = Fields(field.Bytes).ToList();
        var key = System.Text.Encoding.UTF8.GetString(parts.FirstOrDefault(p => p.Number == 1).Bytes ?? []);
        var value = parts.FirstOrDefault(p => p.Number == 2).Bytes is { } any
            ? Fields(any).Where(f => f.Number == 1).Select(f => System.Text.Encoding.UTF8.GetString(f.Bytes)).FirstOrDefault()
            : null;
        return (key, value);
    }

    /// <summary>The length-delimited fields of a protobuf message; other wire types are skipped.</summary>
    static IEnumerable<(int Number, byte[] Bytes)> Fields(byte[] message)
    {
        var position = 0;
        while (position < message.Length)
        {
            var tag = Varint(message, ref position);
            switch (tag & 7)
            {
                case 0: Varint(message, ref position); break;
                case 1: position += 8; break;
                case 5: position += 4; break;
                case 2:
                    var length = (int)Varint(message, ref position);
                    yield return ((int)(tag >> 3), message[position..(position + length)]);
                    position += length;
                    break;
                default: yield break;
            }
        }
    }

    static ulong Varint(byte[] message, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = message[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return value;
        }
    }

    public void Dispose() => _listener.Close();
}
