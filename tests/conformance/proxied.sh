#!/usr/bin/env bash
# Runs the MCP conformance suite's server scenarios through MCP Orch: mcp-orch fronts tests/McpOrch.ConformanceServer
# (over stdio, as server "conformance") and the suite talks to http://localhost:PORT/mcp/conformance, the server's
# own endpoint, where names pass unchanged. Authentication is off (the suite sends no key; loopback only), and every
# tool call moves to SSE polling at once (server.sse_poll_after: 0), so that server-sse-polling sees it.
# Builds nothing: run `dotnet build -c Release` first.
# Usage: proxied.sh RESULTS_FILE   (CONFIGURATION: the build configuration to run, default Release)
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 RESULTS_FILE" >&2; exit 2; }
here="$(cd "$(dirname "$0")" && pwd)"
bin="bin/${CONFIGURATION:-Release}/net10.0"
fixture="$here/../McpOrch.ConformanceServer/$bin/McpOrch.ConformanceServer.dll"
orch="$here/../../Proxy.Api/$bin/mcp-orch.dll"
for dll in "$fixture" "$orch"; do [ -f "$dll" ] || { echo "$dll is missing: build the solution first." >&2; exit 1; }; done

work=$(mktemp -d)
cat >"$work/mcp-config.json" <<JSON
{"mcpServers": {"conformance": {"command": "dotnet", "args": ["$fixture", "--transport", "stdio"]}}}
JSON
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
MCP_ORCH_DATA_DIR="$work/data" McpOrch__Security__EnableAuth=false McpOrch__Server__SsePollAfter=0 \
  dotnet "$orch" --urls "http://127.0.0.1:$port" --config "$work/mcp-config.json" >"$work/mcp-orch.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

# Ready once the fixture's tools are listed.
for _ in $(seq 300); do
  if curl -fs "http://127.0.0.1:$port/tools/conformance" 2>/dev/null | grep -q test_simple_text; then break; fi
  kill -0 "$pid" 2>/dev/null || { echo "mcp-orch exited:" >&2; cat "$work/mcp-orch.log" >&2; exit 1; }
  sleep 0.2
done
curl -fs "http://127.0.0.1:$port/tools/conformance" | grep -q test_simple_text \
  || { echo "mcp-orch does not serve the fixture's tools:" >&2; cat "$work/mcp-orch.log" >&2; exit 1; }

"$here/run.sh" "http://localhost:$port/mcp/conformance" "$1"
