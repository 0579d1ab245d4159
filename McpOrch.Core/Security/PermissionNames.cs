using McpOrch.Core.Configuration;

namespace McpOrch.Core.Security;

/// <summary>Permissions as people write them: <c>read</c>, <c>execute</c>, <c>write</c>.</summary>
public static class PermissionNames
{
    static readonly Permission[] Single = [Permission.Read, Permission.Execute, Permission.Write];

    /// <summary>One permission by its name (any case); false for anything else, combinations and numbers included.</summary>
    public static bool TryParse(string name, out Permission permission)
    {
        permission = Single.FirstOrDefault(p => string.Equals(p.ToString(), name, StringComparison.OrdinalIgnoreCase));
        return permission != Permission.None;
    }

    /// <summary><c>["read", "execute"]</c>.</summary>
    public static IReadOnlyList<string> Of(Permission permissions) =>
        [.. Single.Where(p => permissions.HasFlag(p)).Select(p => p.ToString().ToLowerInvariant())];
}
