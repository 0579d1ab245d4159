using System.Net;

namespace Dashboard.Web.Api;

/// <summary>Proxy.Api said no: its status and the problem's detail, which says what is wrong and how to fix it.</summary>
public sealed class ProxyApiException(HttpStatusCode status, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;
}
