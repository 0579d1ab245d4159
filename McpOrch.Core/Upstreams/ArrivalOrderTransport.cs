using System.Threading.Channels;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace McpOrch.Core.Upstreams;

/// <summary>
/// A client transport that shows each message the server sends to <paramref name="arrived"/> in the order the server
/// sent it, before the SDK takes it. The SDK's client handles every message it reads on a thread-pool thread of its
/// own, so the result of a request may be handled before the progress notifications the server sent ahead of it, and
/// its handlers cannot tell. <paramref name="arrived"/> runs on the transport's reader, one message at a time: it must
/// neither block nor throw.
/// </summary>
internal sealed class ArrivalOrderTransport(IClientTransport inner, Action<JsonRpcMessage> arrived) : IClientTransport
{
    public string Name => inner.Name;

    public async Task<ITransport> ConnectAsync(CancellationToken cancellationToken = default) =>
        new Session(await inner.ConnectAsync(cancellationToken), arrived);

    sealed class Session : ITransport
    {
        readonly ITransport _inner;
        readonly Channel<JsonRpcMessage> _messages = Channel.CreateUnbounded<JsonRpcMessage>(new() { SingleWriter = true });
        readonly CancellationTokenSource _disposing = new();

        public Session(ITransport inner, Action<JsonRpcMessage> arrived)
        {
            _inner = inner;
            _ = PumpAsync(arrived);
        }

        public string? SessionId => _inner.SessionId;

        public ChannelReader<JsonRpcMessage> MessageReader => _messages.Reader;

        public Task SendMessageAsync(JsonRpcMessage message, CancellationToken cancellationToken = default) =>
            _inner.SendMessageAsync(message, cancellationToken);

        async Task PumpAsync(Action<JsonRpcMessage> arrived)
        {
            try
            {
                await foreach (var message in _inner.MessageReader.ReadAllAsync(_disposing.Token))
                {
                    arrived(message);
                    _messages.Writer.TryWrite(message);
                }
                _messages.Writer.TryComplete();
            }
            catch (OperationCanceledException) when (_disposing.IsCancellationRequested)
            {
                _messages.Writer.TryComplete();
            }
            catch (Exception e)
            {
                // How the transport ended (a process that exited, its exit code and stderr): the SDK reads it from here.
                _messages.Writer.TryComplete(e);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _inner.DisposeAsync();
            await _disposing.CancelAsync();
        }
    }
}
