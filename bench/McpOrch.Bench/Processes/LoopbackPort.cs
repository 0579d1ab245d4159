using System.Net;
using System.Net.Sockets;

namespace McpOrch.Bench.Processes;

public static class LoopbackPort
{
    /// <summary>A TCP port on 127.0.0.1 that nothing listens on right now, chosen by the kernel.</summary>
    public static int FindFree()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
