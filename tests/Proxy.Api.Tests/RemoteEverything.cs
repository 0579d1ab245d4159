using System.Diagnostics;
using System.Net.Sockets;
using McpOrch.Testing;

namespace Proxy.Api.Tests;

/// <summary>server-everything serving HTTP (Streamable HTTP or the legacy SSE transport); disposing it kills it.</summary>
sealed class RemoteEverything(Process process, int port) : IAsyncDisposable
{
    public int Port { get; } = port;

    /// <summary>Starts it in <paramref name="mode"/> (<c>streamableHttp</c> or <c>sse</c>) on a free port and waits until it listens.</summary>
    public static async Task<RemoteEverything> StartAsync(McpServersFixture servers, string mode, CancellationToken cancellationToken)
    {
        var port = ServiceProcess.FreePort();
        var startInfo = servers.Everything(mode, port).ToStartInfo();
        startInfo.RedirectStandardError = startInfo.RedirectStandardOutput = true;
        var process = Process.Start(startInfo)!;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port, timeout.Token);
                return new RemoteEverything(process, port);
            }
            catch (SocketException)
            {
                await Task.Delay(100, timeout.Token);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
    }
}
