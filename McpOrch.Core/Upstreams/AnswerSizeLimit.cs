namespace McpOrch.Core.Upstreams;

/// <summary>
/// Stops reading a Streamable HTTP server's answer to a request once one message in it (a JSON body, or one event of an
/// SSE stream) passes the limit, and drops the connection: the SDK would read a result of any size whole before the
/// gateway could refuse it. Only POST responses are cut: GET streams carry the server's own requests and notifications,
/// which a cut would make the SDK fetch again.
/// </summary>
/// <param name="maxMessageBytes">The most one message may have.</param>
internal sealed class AnswerSizeLimit(long maxMessageBytes) : DelegatingHandler(new HttpClientHandler())
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (request.Method != HttpMethod.Post)
            return response;
        var original = response.Content;
        var events = original.Headers.ContentType?.MediaType == "text/event-stream";
        response.Content = new StreamContent(new LimitedStream(await original.ReadAsStreamAsync(cancellationToken), maxMessageBytes, events));
        foreach (var (name, values) in original.Headers)
            response.Content.Headers.TryAddWithoutValidation(name, values);
        return response;
    }

    /// <summary>Counts the bytes of the current message (for SSE, since the blank line that ended the last event).</summary>
    sealed class LimitedStream(Stream inner, long limit, bool events) : Stream
    {
        long _message;
        byte _last;

        public override int Read(byte[] buffer, int offset, int count) => Counted(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            return Counted(buffer.Span[..read]);
        }

        int Counted(ReadOnlySpan<byte> bytes)
        {
            if (!events)
                _message += bytes.Length;
            else
                foreach (var b in bytes)
                {
                    _message = b == '\n' && _last == '\n' ? 0 : _message + 1;
                    if (b != '\r')
                        _last = b;
                }
            if (_message > limit)
            {
                // Closing the response unread drops the connection: the server's writes fail, and nothing more arrives.
                inner.Dispose();
                throw new TooLargeException(limit);
            }
            return bytes.Length;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                inner.Dispose();
            base.Dispose(disposing);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>
    /// A message passed the limit. Not an <see cref="IOException"/>: the SDK takes those for a dropped connection and asks
    /// the server for the same answer again.
    /// </summary>
    public sealed class TooLargeException(long limit) : Exception($"The server's answer passed {limit} bytes: reading stopped there.");
}
