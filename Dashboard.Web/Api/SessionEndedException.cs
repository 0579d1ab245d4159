namespace Dashboard.Web.Api;

/// <summary>Proxy.Api no longer takes the session's key: sign in again.</summary>
public sealed class SessionEndedException() : Exception("Proxy.Api no longer takes this session's key: sign in again.");
