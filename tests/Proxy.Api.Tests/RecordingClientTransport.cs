using System.Threading.Channels;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Proxy.Api.Tests;

/// <summary>
/// A client transport that keeps what the client sends and, in the order it came off the wire, what it receives. The
/// SDK handles received messages concurrently, so its handlers cannot tell which came first; this can.
/// </summary>
sealed class RecordingClientTransport(IClientTransport inner) : IClientTransport
{
    readonly List<JsonRpcMessage> _sent = [];
    readonly List<JsonRpcMessage> _received = [];

    public string Name => inner.Name;

    public IReadOnlyList<JsonRpcMessage> Sent
    {
        get { lock (_sent) return [.. _sent]; }
    }

    public IReadOnlyList<JsonRpcMessage> Received
    {
        get { lock (_received) return [.. _received]; }
    }

    public async Task<ITransport> ConnectAsync(CancellationToken cancellationToken = default) =>
        new Recording(await inner.ConnectAsync(cancellationToken), this);

    sealed class Recording : ITransport
    {
        readonly ITransport _inner;
        readonly RecordingClientTransport _owner;
        readonly Channel<JsonRpcMessage> _messages = Channel.CreateUnbounded<JsonRpcMessage>();
        readonly Task _pump;

        public Recording(ITransport inner, RecordingClientTransport owner)
        {
            _inner = inner;
            _owner = owner;
            _pump = PumpAsync();
        }

        public string? SessionId => _inner.SessionId;

        public ChannelReader<JsonRpcMessage> MessageReader => _messages.Reader;

        public Task SendMessageAsync(JsonRpcMessage message, CancellationToken cancellationToken = default)
        {
            lock (_owner._sent)
                _owner._sent.Add(message);
            return _inner.SendMessageAsync(message, cancellationToken);
        }

        async Task PumpAsync()
        {
            try
            {
                await foreach (var message in _inner.MessageReader.ReadAllAsync())
                {
                    lock (_owner._received)
                        _owner._received.Add(message);
                    _messages.Writer.TryWrite(message);
                }
                _messages.Writer.TryComplete();
            }
            catch (Exception e)
            {
                _messages.Writer.TryComplete(e);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _inner.DisposeAsync();
            await _pump;
        }
    }
}
