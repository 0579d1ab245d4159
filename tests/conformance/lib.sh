# Shared by direct.sh, proxied.sh and passthrough.sh (sourced): the build outputs, a free port, and starting the
# fixture over Streamable HTTP. Each script sets `work` (a scratch folder, removed on exit) before using them.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="bin/${CONFIGURATION:-Release}/net10.0"
fixture="$here/../McpOrch.ConformanceServer/$bin/McpOrch.ConformanceServer.dll"
orch="$here/../../Proxy.Api/$bin/mcp-orch.dll"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "${work:-}"' EXIT

require() { for dll in "$@"; do [ -f "$dll" ] || { echo "$dll is missing: build the solution first (dotnet build -c Release)." >&2; exit 1; }; done; }

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_fixture_http PORT: the fixture at http://127.0.0.1:PORT/mcp, returning once it listens.
start_fixture_http() {
  dotnet "$fixture" --transport http --port "$1" >"$work/fixture.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "The fixture does not listen on port $1:" >&2; cat "$work/fixture.log" >&2; exit 1
}

# start_orch PORT CONFIG: mcp-orch on 127.0.0.1:PORT with CONFIG as its mcp-config.json, authentication off (the suite
# sends no key; loopback only), returning once it serves the tools of its server "conformance".
start_orch() {
  MCP_ORCH_DATA_DIR="$work/data" McpOrch__Security__EnableAuth=false McpOrch__Server__SsePollAfter=0 \
    dotnet "$orch" --urls "http://127.0.0.1:$1" --config "$2" >"$work/mcp-orch.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 300); do
    if curl -fs "http://127.0.0.1:$1/tools/conformance" 2>/dev/null | grep -q test_simple_text; then return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "mcp-orch does not serve the fixture's tools:" >&2; cat "$work/mcp-orch.log" >&2; exit 1
}
