#!/usr/bin/env bash
# Runs the MCP conformance suite's server scenarios through MCP Orch's byte-for-byte passthrough: the fixture serves
# Streamable HTTP, mcp-orch is configured with its URL (server "conformance"), and the suite talks to
# http://localhost:PORT/servers/conformance/mcp. Builds nothing: run `dotnet build -c Release` first.
# Usage: passthrough.sh RESULTS_FILE   (CONFIGURATION: the build configuration to run, default Release)
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 RESULTS_FILE" >&2; exit 2; }
work=$(mktemp -d)
source "$(dirname "$0")/lib.sh"
require "$fixture" "$orch"
fixture_port=$(free_port)
start_fixture_http "$fixture_port"
cat >"$work/mcp-config.json" <<JSON
{"mcpServers": {"conformance": {"url": "http://127.0.0.1:$fixture_port/mcp"}}}
JSON
port=$(free_port)
start_orch "$port" "$work/mcp-config.json"
"$here/run.sh" "http://localhost:$port/servers/conformance/mcp" "$1"
