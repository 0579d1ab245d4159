using System.Net;
using System.Net.Sockets;
using McpOrch.Core.Configuration;
using Proxy.Api.Extensions;

namespace Proxy.Api.Stdio;

/// <summary>
/// How this <c>mcp-orch</c> serves MCP: over stdin/stdout, over HTTP, or both. Stdio when <c>server.transport</c> says
/// so (<c>--transport</c>, config.yaml, <c>McpOrch__Server__Transport</c>), or, when nothing chose, when an MCP client
/// started the process: stdin a pipe and stdout not a terminal, as Cursor, Cline, Claude Desktop and VS Code start their
/// servers. An ASP.NET Core address (<c>--urls</c>, <c>ASPNETCORE_URLS</c>: the AppHost, containers) chooses HTTP.
/// Over stdio, HTTP is served besides only when a port was given (<c>--port</c>, <c>PROXY_PORT</c>, <c>server.port</c>), and
/// only if it is free: a port in use must not end the stdio session.
/// </summary>
/// <param name="Stdio">MCP over stdin/stdout.</param>
/// <param name="Http">The HTTP endpoints: MCP, REST, batch.</param>
public sealed record ServedTransports(bool Stdio, bool Http)
{
    public static ServedTransports Choose(ServerOptions server, IConfiguration configuration, Func<bool> startedByClient)
    {
        var hosting = ListeningExtensions.HasHostAddresses(configuration);
        var stdio = server.Transport switch
        {
            ProxyTransport.Stdio => true,
            ProxyTransport.Http => false,
            _ => !hosting && startedByClient(),
        };
        if (!stdio)
            return new(Stdio: false, Http: true);
        if (!hosting && configuration["McpOrch:Server:Port"] is null)
            return new(Stdio: true, Http: false);
        if (!hosting && PortTaken(server) is { } reason)
        {
            Console.Error.WriteLine($"mcp-orch: HTTP is not served: {server.Host}:{server.Port} {reason}. MCP over stdio goes on; " +
                "free the port or give another one (--port, PROXY_PORT) for the REST API and batch runs.");
            return new(Stdio: true, Http: false);
        }
        return new(Stdio: true, Http: true);
    }

    /// <summary>Whether an MCP client started this process: stdin is a pipe or socket, and stdout is not a terminal.</summary>
    public static bool StartedByClient()
    {
        if (!Console.IsInputRedirected || !Console.IsOutputRedirected)
            return false;
        if (!OperatingSystem.IsLinux())
            return true;
        // /dev/null or a file on stdin (a service manager, nohup, a redirect) is not a client.
        var stdin = new FileInfo("/proc/self/fd/0").LinkTarget ?? "";
        return stdin.StartsWith("pipe:", StringComparison.Ordinal) || stdin.StartsWith("socket:", StringComparison.Ordinal);
    }

    /// <summary>Why the port cannot be listened on, or null when it is free.</summary>
    static string? PortTaken(ServerOptions server)
    {
        if (server.Port == 0)
            return null;
        if (server.Host != "localhost" && !IPAddress.TryParse(server.Host.Trim('[', ']'), out _))
            return null; // A host name: Kestrel resolves it, and says so if it cannot listen.
        try
        {
            var address = server.Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(server.Host.Trim('[', ']'));
            using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(address, server.Port));
            return null;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return "is in use by another program";
        }
        catch (SocketException e)
        {
            return $"cannot be listened on ({e.Message})";
        }
    }
}
