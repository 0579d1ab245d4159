namespace McpOrch.ConformanceServer;

/// <summary>
/// DNS-rebinding protection (scenario dns-rebinding-protection): a request whose Host, or Origin when there
/// is one, names anything but localhost, 127.0.0.1 or [::1] gets 403 and a JSON-RPC error.
/// </summary>
public static class LocalhostOnly
{
    static readonly HashSet<string> Hosts = new(StringComparer.OrdinalIgnoreCase) { "localhost", "127.0.0.1", "[::1]", "::1" };

    public static async Task Check(HttpContext context, RequestDelegate next)
    {
        var origin = context.Request.Headers.Origin.ToString();
        var originOk = origin.Length == 0 || (Uri.TryCreate(origin, UriKind.Absolute, out var uri) && Hosts.Contains(uri.Host));
        if (Hosts.Contains(context.Request.Host.Host) && originOk)
        {
            await next(context);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await context.Response.WriteAsJsonAsync(new
        {
            jsonrpc = "2.0",
            error = new { code = -32000, message = $"Forbidden: Host '{context.Request.Host}' / Origin '{origin}' is not localhost" },
            id = (object?)null,
        });
    }
}
