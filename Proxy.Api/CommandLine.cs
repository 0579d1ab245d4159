namespace Proxy.Api;

/// <summary>What <c>mcp-orch</c> decides from its command line before it reads any configuration.</summary>
public static class CommandLine
{
    public static bool WantsHelp(string[] args) => args.Any(a => a is "--help" or "-h" or "-?");

    /// <summary>Whether to serve over stdin/stdout: then nothing else may write to stdout, and no port is opened.</summary>
    public static bool WantsStdio(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (string.Equals(args[i], "--transport=stdio", StringComparison.OrdinalIgnoreCase))
                return true;
            if (args[i] == "--transport" && i + 1 < args.Length && string.Equals(args[i + 1], "stdio", StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }

    public const string Help = """
        mcp-orch: every configured MCP server behind one endpoint.

        Usage:
          mcp-orch [options]                      serve MCP at http://HOST:PORT/mcp and the REST API
          mcp-orch --transport stdio [options]    serve MCP over stdin/stdout (for Cursor, Cline, Claude Desktop)

        Options (each overrides config.yaml and the environment):
          --config PATH              the MCP servers: mcp-config.json in the Claude Desktop / Cursor ("mcpServers")
                                     or VS Code ("servers") format. Default: ./mcp-config.json (MCP_CONFIG)
          --config-yaml PATH         settings file. Default: ./config.yaml if present (MCP_ORCH_CONFIG_YAML)
          --transport http|stdio     how MCP clients connect. Default: http
          --host ADDRESS             address to listen on. Default: 127.0.0.1 (PROXY_HOST)
          --port PORT                port to listen on. Default: 8080 (PROXY_PORT)
          --mode proxy|batch|hybrid  which surfaces to serve. Default: hybrid
          --log-level LEVEL          trace, debug, information, warning, error. (LOG_LEVEL)
          --max-parallel-tasks N     tool calls of one batch at once. Default: 10
          --task-timeout DURATION    limit per tool call: seconds, or 30s, 5m. Default: 300
          --retry-count N            retries of a batch step after a transient failure. Default: 3
          --data-dir PATH            where mcp-orch keeps API keys, the audit log and (single-process
                                     mode) batch runs, in mcp-orch.db, when no PostgreSQL is given.
                                     Default: ~/.local/share/mcp-orch (MCP_ORCH_DATA_DIR)
          --insecure                 allow security.enable_auth: false on an address other than loopback
          --bridge NAME              with --transport stdio: serve that one server under its own names (a
                                     stdio bridge); automatic when the configuration has one remote server
          --McpOrch:Section:Key=V    any other setting, e.g. --McpOrch:Server:ToolSeparator=__
          --urls URLS                ASP.NET Core listen addresses; replaces --host and --port
          -h, --help                 this text

        Batch runs: with ConnectionStrings__orchdb, __redis and __messaging set, the planner and
        executors run as separate services (PostgreSQL, Redis, RabbitMQ); with none of them set,
        mcp-orch plans and runs batches itself (SQLite in --data-dir, in-memory messaging).

        Callers present an API key (Authorization: Bearer KEY, or X-API-Key: KEY) or a JWT signed with
        JWT_SECRET. With no key configured, the first start prints an admin key once.

        A bad setting or file stops mcp-orch with one line per problem (exit code 2).
        See README.md for config.yaml, the environment variables and the REST API.
        """;
}
