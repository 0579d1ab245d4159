#!/usr/bin/env bash
# The proxy overhead benchmark in one command: installs the pinned npm packages, builds MCP Orch and the
# benchmark in Release, runs every path in alternating rounds and prints a markdown table (also written to
# bench/results/latest.md). Options go to the benchmark, e.g. `bench/run.sh --rounds 1 --seq-calls 200`;
# `bench/run.sh --help` lists them. Everything listens and connects on 127.0.0.1 only and stops by itself.
set -euo pipefail

bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$bench")"
out="$bench/results/run-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"

# Whatever a crashed run left behind: only the gateway pids this run recorded, and only if they are still ours.
stop_leftovers() {
  [[ -f "$out/pids" ]] || return 0
  while read -r pid; do
    if [[ -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qE "mcp-orch\.dll|$bench/node_modules"; then
      kill -TERM "$pid" 2>/dev/null || true
      sleep 2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done < "$out/pids"
}
trap stop_leftovers EXIT

echo "== npm ci (bench/package-lock.json)" >&2
(cd "$bench" && npm ci --no-audit --no-fund --loglevel=error >&2)

echo "== dotnet build -c Release (Proxy.Api, bench/McpOrch.Bench)" >&2
dotnet build "$repo/Proxy.Api/Proxy.Api.csproj" -c Release --nologo -v quiet >&2
dotnet build "$bench/McpOrch.Bench/McpOrch.Bench.csproj" -c Release --nologo -v quiet >&2

echo "== benchmark (results in $out)" >&2
# The benchmark stops itself after --time-limit (default 20 min); timeout is the backstop.
timeout -k 30 1800 dotnet "$bench/McpOrch.Bench/bin/Release/net10.0/mcp-orch-bench.dll" --repo "$repo" --out "$out" "$@" \
  2> >(tee "$out/progress.log" >&2)
if [[ -f "$out/results.md" ]]; then cp "$out/results.md" "$bench/results/latest.md"; fi
