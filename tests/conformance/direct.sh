#!/usr/bin/env bash
# Runs the MCP conformance suite's server scenarios straight against tests/McpOrch.ConformanceServer (no proxy), over
# Streamable HTTP on a free port of 127.0.0.1. Builds nothing: run `dotnet build -c Release` first.
# Usage: direct.sh RESULTS_FILE   (CONFIGURATION: the build configuration to run, default Release)
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 RESULTS_FILE" >&2; exit 2; }
work=$(mktemp -d)
source "$(dirname "$0")/lib.sh"
require "$fixture"
port=$(free_port)
start_fixture_http "$port"
"$here/run.sh" "http://127.0.0.1:$port/mcp" "$1"
