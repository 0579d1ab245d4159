namespace Dashboard.Web.Auth;

/// <summary>Pages and buttons follow the signed-in key's permissions: these name the ones past <c>read</c>.</summary>
public static class DashboardPolicies
{
    public const string Write = "write";
    public const string Execute = "execute";
}
