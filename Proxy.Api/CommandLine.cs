namespace Proxy.Api;

/// <summary>What <c>mcp-orch</c> decides from its command line before it reads any configuration.</summary>
public static class CommandLine
{
    public static bool WantsHelp(string[] args) => args.Any(a => a is "--help" or "-h" or "-?");

    public const string Help = """
        mcp-orch: every configured MCP server behind one endpoint.

        Usage:
          mcp-orch [options]     in a terminal: serve MCP at http://HOST:PORT/mcp, the REST API and batch runs;
                                 started by an MCP client (Cursor, Cline, Claude Desktop, VS Code: stdin a pipe):
                                 serve MCP over stdin/stdout, and HTTP too when a port is given

        Options (each overrides config.yaml and the environment):
          --config PATH              the MCP servers: mcp-config.json in the Claude Desktop / Cursor ("mcpServers")
                                     or VS Code ("servers") format. Default: ./mcp-config.json (MCP_CONFIG)
          --config-yaml PATH         settings file. Default: ./config.yaml if present (MCP_ORCH_CONFIG_YAML)
          --transport http|stdio     how MCP clients connect. Default: stdio when an MCP client started
                                     mcp-orch, else http
          --host ADDRESS             address to listen on. Default: 127.0.0.1 (PROXY_HOST)
          --port PORT                port to listen on. Default: 8080 (PROXY_PORT); over stdio, also serve
                                     HTTP on this port
          --mode proxy|batch|hybrid  which surfaces to serve. Default: hybrid
          --log-level LEVEL          trace, debug, information, warning, error. (LOG_LEVEL)
          --max-parallel-tasks N     tool calls of one batch at once. Default: 10
          --task-timeout DURATION    limit per tool call: seconds, or 30s, 5m. Default: 300
          --retry-count N            retries of a batch step after a transient failure. Default: 3
          --data-dir PATH            where mcp-orch keeps API keys, the audit log and (single-process
                                     mode) batch runs, in mcp-orch.db, when no PostgreSQL is given.
                                     Default: ~/.local/share/mcp-orch (MCP_ORCH_DATA_DIR)
          --insecure                 allow security.enable_auth: false on an address other than loopback
          --bridge NAME              over stdio: serve that one server under its own names (a stdio
                                     bridge); automatic when the configuration has one remote server
          --McpOrch:Section:Key=V    any other setting, e.g. --McpOrch:Server:ToolSeparator=__
          --urls URLS                ASP.NET Core listen addresses; replaces --host and --port
          -h, --help                 this text

        Batch runs: with ConnectionStrings__orchdb, __redis and __messaging set, the planner and
        executors run as separate services (PostgreSQL, Redis, RabbitMQ); with none of them set,
        mcp-orch plans and runs batches itself (SQLite in --data-dir, in-memory messaging).

        HTTP callers present an API key (Authorization: Bearer KEY, or X-API-Key: KEY) or a JWT signed
        with JWT_SECRET. With no key configured, the first start in a terminal prints an admin key once.
        Over stdio no key is needed: only the user who started mcp-orch can reach the pipe.

        A bad setting or file stops mcp-orch with one line per problem (exit code 2).
        See README.md for config.yaml, the environment variables and the REST API.
        """;
}
