using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Proxy.Api.Tests;

/// <summary>One <c>$</c> command of a bash block of README.md, with the output written under it (empty: none).</summary>
public sealed record ReadmeExample(string Section, string Command, string Output)
{
    public override string ToString() => $"[{Section}] $ {Command}";
}

/// <summary>
/// README.md's examples, and the notation of their outputs: JSON (or server-sent events whose <c>data</c> is JSON)
/// where <c>…</c> in place of a member or an element means "and more", and a string with <c>…</c> in it is a value
/// that differs from run to run. An answer has the documented shape when it has the same members (more only where
/// <c>…</c> says so), values of the same JSON types, the same arrays (where <c>…</c> says more: at least elements
/// of the documented shapes), and events of the same names.
/// </summary>
public static class ReadmeExamples
{
    const string More = "…";

    /// <summary>Where an elided member or element was, in a documented output parsed as JSON.</summary>
    const string Elided = "\u2026elided\u2026";

    /// <summary>Every <c>$</c> command of a <c>bash</c> block, in the order of the file; other blocks are instructions.</summary>
    public static IReadOnlyList<ReadmeExample> Parse(string markdown)
    {
        var examples = new List<ReadmeExample>();
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var section = "";
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith('#'))
                section = lines[i].TrimStart('#', ' ');
            if (lines[i].TrimStart() != "```bash")
                continue;
            var indent = lines[i].Length - lines[i].TrimStart().Length;
            var block = new List<string>();
            for (i++; i < lines.Length && lines[i].Trim() != "```"; i++)
                block.Add(lines[i].Length >= indent ? lines[i][indent..] : lines[i].TrimStart());
            for (var j = 0; j < block.Count; j++)
            {
                if (!block[j].StartsWith("$ ", StringComparison.Ordinal))
                    continue;
                var command = new StringBuilder(block[j][2..]);
                while (!IsComplete(command.ToString()) && j + 1 < block.Count)
                    command.Append('\n').Append(block[++j]);
                var output = new List<string>();
                while (j + 1 < block.Count && !block[j + 1].StartsWith("$ ", StringComparison.Ordinal))
                    output.Add(block[++j]);
                examples.Add(new ReadmeExample(section, command.ToString(), string.Join('\n', output).Trim()));
            }
        }
        return examples;
    }

    /// <summary>
    /// Why <paramref name="actual"/> does not have the shape of <paramref name="documented"/>, or null when it does.
    /// The values that documented placeholders stand for are added to <paramref name="placeholders"/>.
    /// </summary>
    public static string? Mismatch(string documented, string actual, IDictionary<string, string> placeholders)
    {
        if (documented.Length == 0)
            return actual.Trim().Length == 0 ? null : "no output is documented, but there was some";
        JsonNode? actualJson;
        try
        {
            actualJson = IsEventStream(documented) ? Events(actual) : JsonNode.Parse(actual);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return $"the answer is not {(IsEventStream(documented) ? "server-sent events" : "JSON")} ({e.Message})";
        }
        var expected = IsEventStream(documented) ? Events(documented) : Documented(documented);
        return Mismatch(expected, actualJson, "$", placeholders);
    }

    static string? Mismatch(JsonNode? documented, JsonNode? actual, string path, IDictionary<string, string> placeholders)
    {
        switch (documented)
        {
            case JsonObject members:
                if (actual is not JsonObject actualMembers)
                    return $"{path}: an object is documented, the answer has {Kind(actual)}";
                foreach (var (name, value) in members.Where(m => m.Key != Elided))
                    if (!actualMembers.TryGetPropertyValue(name, out var actualValue))
                        return $"{path}: the answer has no \"{name}\"";
                    else if (Mismatch(value, actualValue, $"{path}.{name}", placeholders) is { } mismatch)
                        return mismatch;
                if (!members.ContainsKey(Elided) && actualMembers.Select(m => m.Key).FirstOrDefault(name => !members.ContainsKey(name)) is { } extra)
                    return $"{path}: the answer has \"{extra}\", which is not documented (write … for more members)";
                return null;
            case JsonArray elements:
                if (actual is not JsonArray actualElements)
                    return $"{path}: an array is documented, the answer has {Kind(actual)}";
                var shown = elements.Where(e => !IsElided(e)).ToList();
                if (shown.Count == elements.Count)
                {
                    if (shown.Count != actualElements.Count)
                        return $"{path}: {shown.Count} elements are documented, the answer has {actualElements.Count} (write … for more)";
                    return shown.Select((e, i) => Mismatch(e, actualElements[i], $"{path}[{i}]", placeholders)).FirstOrDefault(m => m is not null);
                }
                foreach (var element in shown)
                {
                    // The placeholders of the element that matched, not of those that almost did.
                    var found = actualElements.Select(a => (Bound: new Dictionary<string, string>(), Element: a))
                        .FirstOrDefault(a => Mismatch(element, a.Element, path, a.Bound) is null).Bound;
                    if (found is null)
                        return $"{path}: no element of the answer has the shape of {element!.ToJsonString()}";
                    foreach (var (placeholder, bound) in found)
                        placeholders[placeholder] = bound;
                }
                return null;
            default:
                if (Kind(documented) != Kind(actual))
                    return $"{path}: {Kind(documented)} is documented, the answer has {Kind(actual)}";
                if (documented is JsonValue scalar && scalar.TryGetValue<string>(out var text) && text.Contains(More, StringComparison.Ordinal) && text != More)
                    placeholders[text] = actual!.GetValue<string>();
                return null;
        }
    }

    static bool IsElided(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) && text == Elided;

    static string Kind(JsonNode? node) => node?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "null",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Number => "a number",
        JsonValueKind.String => "a string",
        JsonValueKind.Array => "an array",
        _ => "an object",
    };

    static bool IsEventStream(string output) => output.StartsWith("event:", StringComparison.Ordinal) || output.StartsWith("data:", StringComparison.Ordinal);

    /// <summary>Server-sent events as an array of <c>{"event name": data, "id": id}</c>; a paragraph of <c>…</c> elides events.</summary>
    static JsonArray Events(string stream)
    {
        var events = new JsonArray();
        foreach (var paragraph in stream.ReplaceLineEndings("\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (paragraph == More)
            {
                events.Add(Elided);
                continue;
            }
            var fields = paragraph.Split('\n').Select(line => line.Split(':', 2)).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1].Trim());
            if (!fields.TryGetValue("event", out var name) || !fields.TryGetValue("data", out var data) || !fields.TryGetValue("id", out var id))
                throw new FormatException($"an event needs event, data and id lines: {paragraph}");
            events.Add(new JsonObject { [name] = Documented(data), ["id"] = id });
        }
        return events;
    }

    /// <summary>Documented JSON: a <c>…</c> outside strings becomes a marked member or element, then it is JSON.</summary>
    static JsonNode? Documented(string text)
    {
        var json = new StringBuilder();
        var containers = new Stack<char>();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '"')
            {
                var end = i + 1;
                while (text[end] != '"')
                    end += text[end] == '\\' ? 2 : 1;
                json.Append(text, i, end - i + 1);
                i = end;
                continue;
            }
            if (c is '{' or '[')
                containers.Push(c);
            else if (c is '}' or ']')
                containers.Pop();
            json.Append(c != More[0] ? c.ToString() : containers.Peek() == '{' ? $"\"{Elided}\": null" : $"\"{Elided}\"");
        }
        return JsonNode.Parse(json.ToString());
    }

    /// <summary>Whether bash would run <paramref name="command"/> as it is, or read another line (an open quote, a trailing backslash).</summary>
    static bool IsComplete(string command)
    {
        char? quote = null;
        for (var i = 0; i < command.Length; i++)
        {
            var c = command[i];
            if (quote == '\'')
            {
                if (c == '\'')
                    quote = null;
            }
            else if (c == '\\')
            {
                if (i == command.Length - 1)
                    return false;
                i++;
            }
            else if (quote == '"')
            {
                if (c == '"')
                    quote = null;
            }
            else if (c is '\'' or '"')
                quote = c;
            else if (c == '#' && (i == 0 || char.IsWhiteSpace(command[i - 1])))
                while (i + 1 < command.Length && command[i + 1] != '\n')
                    i++;
        }
        return quote is null;
    }
}
