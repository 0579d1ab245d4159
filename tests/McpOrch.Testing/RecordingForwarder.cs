using System.Net;
using System.Net.Sockets;
using System.Text;

namespace McpOrch.Testing;

/// <summary>
/// A TCP forwarder on a free loopback port that passes every byte to <c>target</c> and keeps what clients sent:
/// put in front of an HTTP MCP server, it shows exactly which headers reached the server, and how much of its answers
/// the clients took.
/// </summary>
public sealed class RecordingForwarder : IAsyncDisposable
{
    readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource _stopping = new();
    readonly MemoryStream _sent = new();
    readonly Task _accepting;
    readonly int _targetPort;
    long _received;

    public RecordingForwarder(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Everything clients sent so far, as text.</summary>
    public string Sent
    {
        get { lock (_sent) return Encoding.UTF8.GetString(_sent.ToArray()); }
    }

    /// <summary>
    /// How many bytes of the server's answers clients took so far: what they read, and what their sockets still buffer
    /// (on loopback, up to the kernel's <c>tcp_rmem</c> maximum). A client that closes its connection takes no more.
    /// </summary>
    public long Received => Interlocked.Read(ref _received);

    async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stopping.Token);
                _ = ForwardAsync(client);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    async Task ForwardAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stopping.Token);
                var up = PumpAsync(client.GetStream(), server.GetStream(), record: true);
                var down = PumpAsync(server.GetStream(), client.GetStream(), record: false);
                await Task.WhenAny(up, down);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
            }
        }
    }

    async Task PumpAsync(Stream from, Stream to, bool record)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, _stopping.Token)) > 0)
        {
            if (record)
                lock (_sent) _sent.Write(buffer, 0, read);
            await to.WriteAsync(buffer.AsMemory(0, read), _stopping.Token);
            if (!record)
                Interlocked.Add(ref _received, read);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stopping.Dispose();
    }
}
