namespace McpOrch.Core.Configuration;

/// <summary>The shapes an options property can have: a nested section, a list, or a single value.</summary>
internal static class SettingTypes
{
    public static bool IsSection(Type type) => type.IsClass && type != typeof(string) && ListItemType(type) is null;

    public static Type? ListItemType(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) ? type.GetGenericArguments()[0] : null;
}
