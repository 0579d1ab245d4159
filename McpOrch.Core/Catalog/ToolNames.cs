using System.Security.Cryptography;
using System.Text;

namespace McpOrch.Core.Catalog;

/// <summary>
/// The names tools are exposed under: <c>server.tool</c>, within the 64 characters of
/// <c>[A-Za-z0-9_.-]</c> that every MCP client accepts.
/// </summary>
public static class ToolNames
{
    /// <summary>The longest name clients such as VS Code and Claude Code accept.</summary>
    public const int MaxLength = 64;

    const int HashLength = 8;

    /// <summary>
    /// <paramref name="server"/> + <paramref name="separator"/> + <paramref name="tool"/> when that is a safe
    /// name; otherwise the name with unsafe characters replaced by <c>_</c>, cut to fit, and ended with a
    /// short hash of the original pair, so that the result is stable and distinct.
    /// </summary>
    public static string Qualify(string server, string tool, string separator)
    {
        var name = server + separator + tool;
        return IsSafe(name) ? name : WithHash(name, server, tool);
    }

    /// <summary>Whether <paramref name="name"/> is 1–64 characters of <c>[A-Za-z0-9_.-]</c>.</summary>
    public static bool IsSafe(string name) => name.Length is > 0 and <= MaxLength && name.All(IsSafe);

    /// <summary>The safe form of <paramref name="name"/> with a hash of <paramref name="server"/> and <paramref name="tool"/> at the end.</summary>
    internal static string WithHash(string name, string server, string tool)
    {
        var safe = new string([.. name.Select(c => IsSafe(c) ? c : '_')]);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{server}\0{tool}")))[..HashLength];
        var keep = Math.Min(safe.Length, MaxLength - HashLength - 1);
        return $"{safe[..keep]}-{hash}";
    }

    static bool IsSafe(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-';
}
