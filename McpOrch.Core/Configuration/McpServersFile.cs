using System.Text.Json;
using System.Text.RegularExpressions;

namespace McpOrch.Core.Configuration;

/// <summary>
/// Reads <c>mcp-config.json</c> in the formats users already have: <c>{"mcpServers": {...}}</c> of
/// Claude Desktop and Cursor, and <c>{"servers": {...}}</c> of VS Code (comments and trailing commas allowed).
/// </summary>
public static partial class McpServersFile
{
    static readonly string[] ServerKeys = ["command", "args", "env", "cwd", "url", "type", "headers", "disabled", "timeout", "isolation"];
    static readonly string[] TopLevelKeys = ["mcpServers", "servers", "inputs"];

    [GeneratedRegex("^[A-Za-z0-9_-]{1,48}$")]
    private static partial Regex ServerName();

    /// <summary>Reads and checks the file; problems go to <paramref name="problems"/>, named as <c>file: path: problem</c>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="environment">Looks up environment variables for <c>${VAR}</c>.</param>
    /// <param name="problems">Collects errors and warnings.</param>
    public static McpServersConfiguration Load(string path, Func<string, string?> environment, ConfigurationProblems problems)
    {
        var file = Path.GetFileName(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Error($"{file}: cannot be read ({e.Message}): check the path given by --config or server.mcp_config.");
            return McpServersConfiguration.Empty;
        }
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return Parse(text, file, folder, environment, problems) with { Source = Path.GetFullPath(path) };
    }

    /// <summary>Parses file content; <paramref name="folder"/> is where relative <c>cwd</c> values start.</summary>
    public static McpServersConfiguration Parse(string json, string file, string folder,
        Func<string, string?> environment, ConfigurationProblems problems)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            });
        }
        catch (JsonException e)
        {
            problems.Error($"{file}: line {e.LineNumber + 1}, column {e.BytePositionInLine + 1}: not valid JSON ({FirstSentence(e.Message)}): fix the syntax there.");
            return McpServersConfiguration.Empty;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problems.Error($"{file}: must be a JSON object such as {{\"mcpServers\": {{\"name\": {{\"command\": \"...\"}}}}}}.");
                return McpServersConfiguration.Empty;
            }
            var reader = new Reader(file, folder, problems, new EnvironmentExpander(environment,
                new Dictionary<string, string> { ["workspaceFolder"] = WorkspaceFolder(folder), ["userHome"] = UserHome() }));
            return new McpServersConfiguration(null, reader.ReadRoot(root));
        }
    }

    // VS Code keeps mcp.json in the workspace's .vscode folder.
    static string WorkspaceFolder(string folder) =>
        Path.GetFileName(folder) == ".vscode" ? Path.GetDirectoryName(folder)! : folder;

    static string UserHome() => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    static string FirstSentence(string message) => message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].TrimEnd('.');

    sealed class Reader(string file, string folder, ConfigurationProblems problems, EnvironmentExpander expander)
    {
        void Error(string where, string message) => problems.Error($"{file}: {where}: {message}");

        void Warning(string where, string message) => problems.Warning($"{file}: {where}: {message}");

        public List<McpServerDefinition> ReadRoot(JsonElement root)
        {
            var seenKeys = new HashSet<string>(StringComparer.Ordinal);
            JsonProperty? serversProperty = null;
            foreach (var property in root.EnumerateObject())
            {
                if (!seenKeys.Add(property.Name))
                    Error(property.Name, "appears twice: keep one.");
                else if (property.Name is "mcpServers" or "servers")
                {
                    if (serversProperty is { } first)
                        Error(property.Name, $"the file has both \"{first.Name}\" and \"{property.Name}\": put every server under one of them.");
                    else
                        serversProperty = property;
                }
                else if (!TopLevelKeys.Contains(property.Name))
                    Warning(property.Name, $"unknown key, ignored{SettingNames.DidYouMean(property.Name, TopLevelKeys)}.");
            }

            if (serversProperty is not { } servers)
            {
                Error("top level", "needs \"mcpServers\" (Claude Desktop, Cursor) or \"servers\" (VS Code) with one entry per server.");
                return [];
            }
            if (servers.Value.ValueKind != JsonValueKind.Object)
            {
                Error(servers.Name, "must be an object whose keys are server names, e.g. {\"github\": {\"command\": \"npx\"}}.");
                return [];
            }

            var result = new List<McpServerDefinition>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var server in servers.Value.EnumerateObject())
            {
                var where = $"{servers.Name}.{server.Name}";
                if (!names.Add(server.Name))
                    Error(where, "appears twice: server names must be unique.");
                else if (!ServerName().IsMatch(server.Name))
                    Error($"{servers.Name}[\"{server.Name}\"]", "a server name is the prefix of its tools' names: use 1 to 48 letters, digits, '_' or '-'.");
                else if (ReadServer(server.Name, where, server.Value) is { } definition)
                    result.Add(definition);
            }
            return result;
        }

        McpServerDefinition? ReadServer(string name, string where, JsonElement server)
        {
            if (server.ValueKind != JsonValueKind.Object)
            {
                Error(where, "must be an object with \"command\" (stdio) or \"url\" (remote).");
                return null;
            }

            var errorsBefore = problems.Errors.Count;
            var disabled = server.TryGetProperty("disabled", out var disabledElement) && ReadBool(disabledElement, $"{where}.disabled");
            var type = server.TryGetProperty("type", out var typeElement) ? ReadString(typeElement, $"{where}.type") : null;
            if (disabled)
                // A switched-off server is not checked further: it may refer to variables that are not set.
                return new McpServerDefinition { Name = name, Transport = ParseTransport(type) ?? McpTransportKind.Stdio, Disabled = true };

            foreach (var property in server.EnumerateObject().Where(p => !ServerKeys.Contains(p.Name)))
                Warning($"{where}.{property.Name}", $"unknown key, ignored{SettingNames.DidYouMean(property.Name, ServerKeys)}.");

            string? command = null, cwd = null, url = null;
            IReadOnlyList<string> args = [];
            IReadOnlyDictionary<string, string> env = new Dictionary<string, string>(), headers = env;
            TimeSpan? timeout = null;
            var isolate = false;
            foreach (var property in server.EnumerateObject())
            {
                var at = $"{where}.{property.Name}";
                switch (property.Name)
                {
                    case "command": command = ReadString(property.Value, at); break;
                    case "args": args = ReadStringArray(property.Value, at); break;
                    case "env": env = ReadStringMap(property.Value, at); break;
                    case "cwd": cwd = ReadString(property.Value, at); break;
                    case "url": url = ReadString(property.Value, at); break;
                    case "headers": headers = ReadStringMap(property.Value, at); break;
                    case "timeout": timeout = ReadTimeout(property.Value, at); break;
                    case "isolation":
                        var isolation = ReadString(property.Value, at);
                        isolate = isolation == "session";
                        if (isolation is not (null or "session" or "shared"))
                            Error(at, $"\"{isolation}\" is not an isolation: use \"shared\" (one connection for every client, the default) or \"session\" (one per client session).");
                        break;
                }
            }

            if (problems.Errors.Count > errorsBefore)
                return null;
            var transport = ParseTransport(type);
            if (type is not null && transport is null)
            {
                Error($"{where}.type", $"\"{type}\" is not a transport: use \"stdio\", \"http\" (Streamable HTTP) or \"sse\".");
                return null;
            }
            if (string.IsNullOrWhiteSpace(command) && string.IsNullOrWhiteSpace(url))
            {
                Error(where, transport switch
                {
                    McpTransportKind.Stdio => "needs \"command\": the program that starts the server.",
                    null => "needs \"command\" (stdio) or \"url\" (remote).",
                    _ => "needs \"url\": the address of the remote server.",
                });
                return null;
            }
            if (command is not null && url is not null)
            {
                Error(where, "has both \"command\" and \"url\": keep \"command\" for a local (stdio) server or \"url\" for a remote one.");
                return null;
            }

            if (command is not null)
            {
                if (transport is not (null or McpTransportKind.Stdio))
                {
                    Error($"{where}.type", $"\"{type}\" is for remote servers, but the server has \"command\": use \"type\": \"stdio\" or give a \"url\".");
                    return null;
                }
                if (server.TryGetProperty("headers", out _))
                    Warning($"{where}.headers", "headers are sent to remote servers only; ignored for a stdio server.");
                return new McpServerDefinition
                {
                    Name = name, Transport = McpTransportKind.Stdio, Command = command, Args = args, Env = env,
                    WorkingDirectory = cwd is null ? null : Path.GetFullPath(cwd, folder), Timeout = timeout, IsolatePerSession = isolate,
                };
            }

            if (transport is McpTransportKind.Stdio)
            {
                Error($"{where}.type", "\"stdio\" needs \"command\", but the server has \"url\": remove \"type\" or use \"http\" or \"sse\".");
                return null;
            }
            // The URL's text is never echoed: query strings can carry tokens.
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                Error($"{where}.url", "must be an absolute http:// or https:// URL.");
                return null;
            }
            if (uri.UserInfo.Length > 0)
            {
                if (headers.Keys.Any(h => h.Equals("Authorization", StringComparison.OrdinalIgnoreCase)))
                {
                    Error($"{where}.url", "has a user and password, which are sent as \"Authorization: Basic\", and \"headers\" has an " +
                        "\"Authorization\" too: keep one of them.");
                    return null;
                }
                (uri, headers) = WithBasicAuthorization(uri, headers);
            }
            if (server.TryGetProperty("env", out _))
                Warning($"{where}.env", "env is given to stdio servers only; ignored for a remote server (use \"headers\").");
            if (cwd is not null)
                Warning($"{where}.cwd", "cwd applies to stdio servers only; ignored for a remote server.");
            return new McpServerDefinition
            {
                Name = name, Transport = transport ?? McpTransportKind.AutoDetect, Url = uri, Headers = headers, Timeout = timeout,
                IsolatePerSession = isolate,
            };
        }

        /// <summary>
        /// The URL without its user and password, and those as <c>Authorization: Basic</c>, as a browser or curl sends
        /// them: HTTP clients (.NET's, YARP's) would send neither.
        /// </summary>
        static (Uri, IReadOnlyDictionary<string, string>) WithBasicAuthorization(Uri url, IReadOnlyDictionary<string, string> headers)
        {
            var userInfo = url.UserInfo.Split(':', 2);
            var credentials = $"{Uri.UnescapeDataString(userInfo[0])}:{Uri.UnescapeDataString(userInfo.ElementAtOrDefault(1) ?? "")}";
            var basic = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(credentials));
            return (new UriBuilder(url) { UserName = "", Password = "" }.Uri,
                new Dictionary<string, string>(headers, StringComparer.Ordinal) { ["Authorization"] = $"Basic {basic}" });
        }

        static McpTransportKind? ParseTransport(string? type) => type?.Trim().ToLowerInvariant() switch
        {
            "stdio" => McpTransportKind.Stdio,
            "http" or "streamable-http" or "streamablehttp" or "streamable_http" => McpTransportKind.StreamableHttp,
            "sse" => McpTransportKind.Sse,
            _ => null,
        };

        string? ReadString(JsonElement value, string at)
        {
            if (value.ValueKind == JsonValueKind.String)
                return Expand(value.GetString()!, at);
            if (value.ValueKind != JsonValueKind.Null)
                Error(at, $"must be a string, not {Describe(value)}.");
            return null;
        }

        bool ReadBool(JsonElement value, string at)
        {
            if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                return value.GetBoolean();
            Error(at, $"must be true or false, not {Describe(value)}.");
            return false;
        }

        IReadOnlyList<string> ReadStringArray(JsonElement value, string at)
        {
            if (value.ValueKind != JsonValueKind.Array)
            {
                Error(at, $"must be an array of strings, e.g. [\"-y\", \"@modelcontextprotocol/server-memory\"], not {Describe(value)}.");
                return [];
            }
            var items = new List<string>();
            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                var itemAt = $"{at}[{index++}]";
                // Numbers are written without quotes often enough ("--port", 3000) to accept them as text.
                if (item.ValueKind == JsonValueKind.Number)
                    items.Add(item.GetRawText());
                else if (item.ValueKind == JsonValueKind.String)
                    items.Add(Expand(item.GetString()!, itemAt));
                else
                    Error(itemAt, $"must be a string, not {Describe(item)}.");
            }
            return items;
        }

        IReadOnlyDictionary<string, string> ReadStringMap(JsonElement value, string at)
        {
            var map = new Dictionary<string, string>(StringComparer.Ordinal);
            if (value.ValueKind != JsonValueKind.Object)
            {
                Error(at, $"must be an object of names to string values, not {Describe(value)}.");
                return map;
            }
            foreach (var item in value.EnumerateObject())
            {
                var itemAt = $"{at}.{item.Name}";
                switch (item.Value.ValueKind)
                {
                    case JsonValueKind.String: map[item.Name] = Expand(item.Value.GetString()!, itemAt); break;
                    case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False: map[item.Name] = item.Value.GetRawText(); break;
                    default: Error(itemAt, $"must be a string, not {Describe(item.Value)}."); break;
                }
            }
            return map;
        }

        TimeSpan? ReadTimeout(JsonElement value, string at)
        {
            var text = value.ValueKind switch
            {
                JsonValueKind.Number => value.GetRawText(),
                JsonValueKind.String => value.GetString()!,
                _ => null,
            };
            if (text is not null && Durations.TryParse(text, out var timeout) && timeout > TimeSpan.Zero)
                return timeout;
            Error(at, $"must be a duration above zero: {Durations.Units}.");
            return null;
        }

        string Expand(string text, string at)
        {
            var missing = new List<string>();
            var expanded = expander.Expand(text, missing);
            foreach (var name in missing)
                Error(at, name.StartsWith("input:", StringComparison.Ordinal)
                    ? $"${{{name}}} is a VS Code prompt, which MCP Orch cannot show: use an environment variable, ${{NAME}}, instead."
                    : $"environment variable {name} is not set: set it, or give a default with ${{{name}:-value}}.");
            return expanded;
        }

        static string Describe(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "null",
        };
    }
}
