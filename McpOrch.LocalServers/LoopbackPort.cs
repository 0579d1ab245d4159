using System.Net;
using System.Net.Sockets;

namespace McpOrch.LocalServers;

public static class LoopbackPort
{
    const int Floor = 20000;

    /// <summary>The ports this process handed out: none twice, so callers asking one after another get different ones.</summary>
    static readonly System.Collections.Concurrent.ConcurrentDictionary<int, byte> Given = new();

    /// <summary>Where the kernel's ephemeral ports start (Linux: ip_local_port_range; 49152 elsewhere, per IANA).</summary>
    static readonly int EphemeralStart = ReadEphemeralStart();

    /// <summary>
    /// A TCP port on 127.0.0.1 that nothing listens on right now, chosen below the ephemeral range: outgoing
    /// connections take their local ports from that range, and under load one can take a port picked there before the
    /// service that was given it binds it. Falls back to a port the kernel picks when that range leaves no room.
    /// </summary>
    public static int FindFree()
    {
        if (EphemeralStart - Floor >= 1000)
            for (var attempt = 0; attempt < 100; attempt++)
            {
                var port = Random.Shared.Next(Floor, EphemeralStart);
                if (IsFree(port) && Given.TryAdd(port, 0))
                    return port;
            }
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    static int ReadEphemeralStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 49152;
        }
    }
}
