using McpOrch.Core.Configuration;

namespace McpOrch.Core.Tests.Configuration;

public sealed class McpServersFileTests
{
    const string Folder = "/srv/orch";
    static readonly Dictionary<string, string> Environment = new()
    {
        ["GITHUB_TOKEN"] = "ghp_secret123",
        ["EMPTY"] = "",
        ["API_HOST"] = "api.example.com",
    };

    static (McpServersConfiguration Servers, ConfigurationProblems Problems) Parse(string json)
    {
        var problems = new ConfigurationProblems();
        var servers = McpServersFile.Parse(json, "mcp-config.json", Folder, Environment.GetValueOrDefault, problems);
        return (servers, problems);
    }

    static McpServersConfiguration ParseValid(string json)
    {
        var (servers, problems) = Parse(json);
        Assert.Empty(problems.Errors);
        return servers;
    }

    static string SingleError(string json)
    {
        var (_, problems) = Parse(json);
        return Assert.Single(problems.Errors);
    }

    [Fact]
    public void Claude_Desktop_format_with_a_stdio_server_is_read()
    {
        var server = Assert.Single(ParseValid("""
            {
              "mcpServers": {
                "memory": {
                  "command": "npx",
                  "args": ["-y", "@modelcontextprotocol/server-memory"],
                  "env": { "MEMORY_FILE_PATH": "/tmp/memory.json" },
                  "cwd": "data",
                  "timeout": 45
                }
              }
            }
            """).Servers);

        Assert.Equal("memory", server.Name);
        Assert.Equal(McpTransportKind.Stdio, server.Transport);
        Assert.Equal("npx", server.Command);
        Assert.Equal(["-y", "@modelcontextprotocol/server-memory"], server.Args);
        Assert.Equal("/tmp/memory.json", server.Env["MEMORY_FILE_PATH"]);
        Assert.Equal("/srv/orch/data", server.WorkingDirectory);
        Assert.Equal(TimeSpan.FromSeconds(45), server.Timeout);
        Assert.False(server.Disabled);
    }

    [Theory]
    [InlineData("http", McpTransportKind.StreamableHttp)]
    [InlineData("streamable-http", McpTransportKind.StreamableHttp)]
    [InlineData("streamableHttp", McpTransportKind.StreamableHttp)]
    [InlineData("sse", McpTransportKind.Sse)]
    public void Remote_servers_take_their_transport_from_type(string type, McpTransportKind expected)
    {
        var server = Assert.Single(ParseValid("""{"mcpServers": {"remote": {"type": """ + $"\"{type}\"" +
            """, "url": "https://mcp.example.com/mcp", "headers": {"Authorization": "Bearer x"}, "timeout": "2m"}}}""").Servers);

        Assert.Equal(expected, server.Transport);
        Assert.Equal(new Uri("https://mcp.example.com/mcp"), server.Url);
        Assert.Equal("Bearer x", server.Headers["Authorization"]);
        Assert.Equal(TimeSpan.FromMinutes(2), server.Timeout);
    }

    [Fact]
    public void A_url_without_type_is_auto_detected()
    {
        var server = Assert.Single(ParseValid("""{"mcpServers": {"remote": {"url": "http://127.0.0.1:3001/mcp"}}}""").Servers);
        Assert.Equal(McpTransportKind.AutoDetect, server.Transport);
    }

    [Fact]
    public void VS_Code_format_with_comments_and_trailing_commas_is_read()
    {
        var servers = ParseValid("""
            // .vscode/mcp.json
            {
              "inputs": [],
              "servers": {
                "fs": { "type": "stdio", "command": "node", "args": ["server.js", 3000], },
                "web": { "type": "http", "url": "https://example.com/mcp" },
              },
            }
            """).Servers;

        Assert.Collection(servers,
            fs => { Assert.Equal(McpTransportKind.Stdio, fs.Transport); Assert.Equal(["server.js", "3000"], fs.Args); },
            web => Assert.Equal(McpTransportKind.StreamableHttp, web.Transport));
    }

    [Fact]
    public void Environment_references_are_expanded_in_every_string()
    {
        var servers = ParseValid("""
            {"mcpServers": {
              "github": {
                "command": "${TOOL_DIR:-/opt/tools}/github",
                "args": ["--token=${env:GITHUB_TOKEN}", "literal $${NOT_EXPANDED}", "${EMPTY:-fallback}", "[${EMPTY}]"],
                "env": { "GITHUB_TOKEN": "${GITHUB_TOKEN}" },
                "cwd": "${workspaceFolder}/repo"
              },
              "api": { "url": "https://${API_HOST}/mcp", "headers": { "X-Token": "${GITHUB_TOKEN}" } }
            }}
            """).Servers;

        var github = servers[0];
        Assert.Equal("/opt/tools/github", github.Command);
        Assert.Equal(["--token=ghp_secret123", "literal ${NOT_EXPANDED}", "fallback", "[]"], github.Args);
        Assert.Equal("ghp_secret123", github.Env["GITHUB_TOKEN"]);
        Assert.Equal("/srv/orch/repo", github.WorkingDirectory);
        Assert.Equal("api.example.com", servers[1].Url!.Host);
        Assert.Equal("ghp_secret123", servers[1].Headers["X-Token"]);
    }

    [Fact]
    public void A_disabled_server_is_kept_and_not_checked()
    {
        var server = Assert.Single(ParseValid("""{"mcpServers": {"later": {"command": "x", "env": {"T": "${NOT_SET}"}, "disabled": true}}}""").Servers);
        Assert.True(server.Disabled);
        Assert.Empty(ParseValid("""{"mcpServers": {"later": {"command": "x", "disabled": true}}}""").Enabled);
    }

    [Fact]
    public void Unknown_keys_are_warnings_with_a_suggestion()
    {
        var (servers, problems) = Parse("""{"mcpServers": {"m": {"command": "npx", "arg": ["-y"], "autoApprove": []}}, "extra": 1}""");

        Assert.Single(servers.Servers);
        Assert.Empty(problems.Errors);
        Assert.Contains("mcp-config.json: extra: unknown key, ignored.", problems.Warnings);
        Assert.Contains("mcp-config.json: mcpServers.m.arg: unknown key, ignored (did you mean 'args'?).", problems.Warnings);
        Assert.Contains("mcp-config.json: mcpServers.m.autoApprove: unknown key, ignored.", problems.Warnings);
    }

    [Fact]
    public void Settings_of_the_other_kind_of_server_are_warnings()
    {
        var (_, problems) = Parse("""{"mcpServers": {"a": {"command": "x", "headers": {}}, "b": {"url": "http://h/mcp", "env": {}}}}""");
        Assert.Equal([
            "mcp-config.json: mcpServers.a.headers: headers are sent to remote servers only; ignored for a stdio server.",
            "mcp-config.json: mcpServers.b.env: env is given to stdio servers only; ignored for a remote server (use \"headers\").",
        ], problems.Warnings);
    }

    [Theory]
    [InlineData("""{"mcpServers": {"github": {}}}""",
        """mcp-config.json: mcpServers.github: needs "command" (stdio) or "url" (remote).""")]
    [InlineData("""{"mcpServers": {"github": {"type": "stdio"}}}""",
        """mcp-config.json: mcpServers.github: needs "command": the program that starts the server.""")]
    [InlineData("""{"mcpServers": {"github": {"type": "sse"}}}""",
        """mcp-config.json: mcpServers.github: needs "url": the address of the remote server.""")]
    [InlineData("""{"mcpServers": {"github": {"command": "npx", "url": "http://h/mcp"}}}""",
        """mcp-config.json: mcpServers.github: has both "command" and "url": keep "command" for a local (stdio) server or "url" for a remote one.""")]
    [InlineData("""{"mcpServers": {"github": {"command": "npx", "isolation": "process"}}}""",
        """mcp-config.json: mcpServers.github.isolation: "process" is not an isolation: use "shared" (one connection for every client, the default) or "session" (one per client session).""")]
    [InlineData("""{"mcpServers": {"github": {"type": "websocket", "url": "ws://h"}}}""",
        """mcp-config.json: mcpServers.github.type: "websocket" is not a transport: use "stdio", "http" (Streamable HTTP) or "sse".""")]
    [InlineData("""{"mcpServers": {"github": {"type": "sse", "command": "npx"}}}""",
        """mcp-config.json: mcpServers.github.type: "sse" is for remote servers, but the server has "command": use "type": "stdio" or give a "url".""")]
    [InlineData("""{"mcpServers": {"github": {"type": "stdio", "url": "http://h/mcp"}}}""",
        """mcp-config.json: mcpServers.github.type: "stdio" needs "command", but the server has "url": remove "type" or use "http" or "sse".""")]
    [InlineData("""{"mcpServers": {"github": {"command": "npx", "args": "-y server"}}}""",
        """mcp-config.json: mcpServers.github.args: must be an array of strings, e.g. ["-y", "@modelcontextprotocol/server-memory"], not a string.""")]
    [InlineData("""{"mcpServers": {"github": {"command": "npx", "args": ["-y", {"x": 1}]}}}""",
        """mcp-config.json: mcpServers.github.args[1]: must be a string, not an object.""")]
    [InlineData("""{"mcpServers": {"github": {"command": "npx", "env": ["A=1"]}}}""",
        """mcp-config.json: mcpServers.github.env: must be an object of names to string values, not an array.""")]
    [InlineData("""{"mcpServers": {"github": {"command": 42}}}""",
        """mcp-config.json: mcpServers.github.command: must be a string, not a number.""")]
    [InlineData("""{"mcpServers": {"github": {"command": "npx", "disabled": "no"}}}""",
        """mcp-config.json: mcpServers.github.disabled: must be true or false, not a string.""")]
    [InlineData("""{"mcpServers": {"github": {"command": "npx", "timeout": -5}}}""",
        """mcp-config.json: mcpServers.github.timeout: must be a duration above zero: seconds (300) or a number with a unit (500ms, 30s, 5m, 1h).""")]
    [InlineData("""{"mcpServers": {"github": {"command": "npx", "env": {"T": "${GITHUB_PAT}"}}}}""",
        """mcp-config.json: mcpServers.github.env.T: environment variable GITHUB_PAT is not set: set it, or give a default with ${GITHUB_PAT:-value}.""")]
    [InlineData("""{"servers": {"github": {"command": "npx", "env": {"T": "${input:pat}"}}}}""",
        """mcp-config.json: servers.github.env.T: ${input:pat} is a VS Code prompt, which MCP Orch cannot show: use an environment variable, ${NAME}, instead.""")]
    [InlineData("""{"mcpServers": {"my server": {"command": "npx"}}}""",
        """mcp-config.json: mcpServers["my server"]: a server name is the prefix of its tools' names: use 1 to 48 letters, digits, '_' or '-'.""")]
    [InlineData("""{"mcpServers": {"a": {"command": "x"}, "a": {"command": "y"}}}""",
        """mcp-config.json: mcpServers.a: appears twice: server names must be unique.""")]
    [InlineData("""{"mcpServers": {}, "servers": {}}""",
        """mcp-config.json: servers: the file has both "mcpServers" and "servers": put every server under one of them.""")]
    [InlineData("""{"tools": {}}""",
        """mcp-config.json: top level: needs "mcpServers" (Claude Desktop, Cursor) or "servers" (VS Code) with one entry per server.""")]
    [InlineData("""{"mcpServers": ["github"]}""",
        """mcp-config.json: mcpServers: must be an object whose keys are server names, e.g. {"github": {"command": "npx"}}.""")]
    [InlineData("""{"mcpServers": {"github": "npx github"}}""",
        """mcp-config.json: mcpServers.github: must be an object with "command" (stdio) or "url" (remote).""")]
    [InlineData("""[1, 2]""",
        """mcp-config.json: must be a JSON object such as {"mcpServers": {"name": {"command": "..."}}}.""")]
    public void Bad_input_is_one_error_that_names_the_place_and_the_fix(string json, string expected) =>
        Assert.Equal(expected, SingleError(json));

    [Fact]
    public void Invalid_JSON_names_the_line_and_column()
    {
        var error = SingleError("{\n  \"mcpServers\": {\n    \"a\": {\"command\": \"x\"\n  }\n");
        Assert.StartsWith("mcp-config.json: line 5, column 1: not valid JSON (", error);
        Assert.EndsWith("): fix the syntax there.", error);
    }

    [Fact]
    public void A_bad_url_is_reported_without_its_text_which_may_hold_a_token()
    {
        var error = SingleError("""{"mcpServers": {"api": {"url": "ftp://host/mcp?token=${GITHUB_TOKEN}"}}}""");
        Assert.Equal("mcp-config.json: mcpServers.api.url: must be an absolute http:// or https:// URL.", error);
        Assert.DoesNotContain("ghp_secret123", error);
    }

    [Fact]
    public void A_URL_s_user_and_password_are_sent_as_basic_authorization_not_in_the_URL()
    {
        var server = Assert.Single(ParseValid("""{"mcpServers": {"api": {"url": "https://me%40work:${GITHUB_TOKEN}@api.example.com/mcp?x=1"}}}""").Servers);
        Assert.Equal("https://api.example.com/mcp?x=1", server.Url!.ToString());
        Assert.Equal($"Basic {Convert.ToBase64String("me@work:ghp_secret123"u8)}", server.Headers["Authorization"]);
    }

    [Fact]
    public void A_URL_with_a_user_and_password_and_an_Authorization_header_is_refused()
    {
        var error = SingleError("""{"mcpServers": {"api": {"url": "https://me:${GITHUB_TOKEN}@host/mcp", "headers": {"authorization": "Bearer x"}}}}""");
        Assert.Equal("""mcp-config.json: mcpServers.api.url: has a user and password, which are sent as "Authorization: Basic", and "headers" has an "Authorization" too: keep one of them.""", error);
    }

    [Fact]
    public void Every_problem_of_the_file_is_reported_at_once()
    {
        var (servers, problems) = Parse("""{"mcpServers": {"a": {}, "b": {"command": 1}, "c": {"command": "ok"}}}""");
        Assert.Equal(2, problems.Errors.Count);
        Assert.Equal("c", Assert.Single(servers.Servers).Name);
    }

    [Fact]
    public void A_missing_file_names_the_file_and_the_option()
    {
        var problems = new ConfigurationProblems();
        McpServersFile.Load(Path.Combine(Path.GetTempPath(), "nowhere", "mcp-config.json"), _ => null, problems);
        var error = Assert.Single(problems.Errors);
        Assert.StartsWith("mcp-config.json: cannot be read (", error);
        Assert.EndsWith("): check the path given by --config or server.mcp_config.", error);
    }
}
