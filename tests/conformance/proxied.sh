#!/usr/bin/env bash
# Runs the MCP conformance suite's server scenarios through MCP Orch: mcp-orch fronts tests/McpOrch.ConformanceServer
# (over stdio, as server "conformance") and the suite talks to http://localhost:PORT/mcp/conformance, the server's own
# endpoint, where names pass unchanged. Every tool call moves to SSE polling at once (server.sse_poll_after: 0), so
# that server-sse-polling sees it. Builds nothing: run `dotnet build -c Release` first.
# Usage: proxied.sh RESULTS_FILE   (CONFIGURATION: the build configuration to run, default Release)
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 RESULTS_FILE" >&2; exit 2; }
work=$(mktemp -d)
source "$(dirname "$0")/lib.sh"
require "$fixture" "$orch"
cat >"$work/mcp-config.json" <<JSON
{"mcpServers": {"conformance": {"command": "dotnet", "args": ["$fixture", "--transport", "stdio"]}}}
JSON
port=$(free_port)
start_orch "$port" "$work/mcp-config.json"
"$here/run.sh" "http://localhost:$port/mcp/conformance" "$1"
