#!/usr/bin/env bash
# Runs the MCP conformance suite's server scenarios straight against tests/McpOrch.ConformanceServer (no proxy):
# starts the fixture over Streamable HTTP on a free port of 127.0.0.1, waits until it listens, runs run.sh
# against it and stops it again (also on error). Builds nothing: run `dotnet build -c Release` first.
# Usage: direct.sh RESULTS_FILE   (CONFIGURATION: the build configuration to run, default Release)
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 RESULTS_FILE" >&2; exit 2; }
here="$(cd "$(dirname "$0")" && pwd)"
dll="$here/../McpOrch.ConformanceServer/bin/${CONFIGURATION:-Release}/net10.0/McpOrch.ConformanceServer.dll"
[ -f "$dll" ] || { echo "$dll is missing: build the solution first." >&2; exit 1; }

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp)
dotnet "$dll" --transport http --port "$port" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log"' EXIT

for _ in $(seq 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  kill -0 "$pid" 2>/dev/null || { echo "The fixture exited:" >&2; cat "$log" >&2; exit 1; }
  sleep 0.1
done
(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "The fixture does not listen on port $port:" >&2; cat "$log" >&2; exit 1; }

"$here/run.sh" "http://127.0.0.1:$port/mcp" "$1"
