#!/usr/bin/env bash
# The orchestration benchmark in one command: builds MCP Orch's programs, the C# test server and the benchmark in
# Release, runs the scenarios on the single-process and the distributed form with the direct baseline beside each, and
# prints a markdown table (also written to bench/results/batch-latest.md). Options go to the benchmark, e.g.
# `bench/batch.sh --runs 3 --forms single`; `bench/batch.sh --help` lists them. Everything listens and connects on
# 127.0.0.1 only, and every process it starts is stopped by pid.
set -euo pipefail

bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$bench")"
out="$bench/results/batch-$(date +%Y%m%d-%H%M%S)"

for arg in "$@"; do
  if [[ "$arg" == "--help" || "$arg" == "-h" ]]; then
    dotnet build "$bench/McpOrch.BatchBench/McpOrch.BatchBench.csproj" -c Release --nologo -v quiet >&2
    exec dotnet "$bench/McpOrch.BatchBench/bin/Release/net10.0/mcp-orch-batch-bench.dll" --help
  fi
done
mkdir -p "$out"

# What a killed benchmark left behind: the pids it recorded and the MCP servers its services started, but only while
# they are still this run's processes — started in, or given, the folder of a form in $out (MCP Orch's programs, their
# MCP servers, PostgreSQL, Redis and RabbitMQ all are).
stop_leftovers() {
  [[ -f "$out/pids" ]] || return 0
  local pids=()
  for pid in $(sort -u "$out/pids" <(ls /proc | grep -E '^[0-9]+$')); do
    if [[ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" == "$out"/* ]] || { tr '\0' ' ' < "/proc/$pid/cmdline"; } 2>/dev/null | grep -qE "$out/(single|distributed)/"; then
      pids+=("$pid")
    fi
  done
  [[ ${#pids[@]} -gt 0 ]] || return 0
  echo "== stopping what the benchmark left running: ${pids[*]}" >&2
  kill -TERM "${pids[@]}" 2>/dev/null || true
  sleep 5
  kill -KILL "${pids[@]}" 2>/dev/null || true
}
trap stop_leftovers EXIT

echo "== dotnet build -c Release (Proxy.Api, Planner.Worker, Executor.Worker, tests/McpOrch.TestServer, bench/McpOrch.BatchBench)" >&2
for project in Proxy.Api/Proxy.Api.csproj Planner.Worker/Planner.Worker.csproj Executor.Worker/Executor.Worker.csproj \
  tests/McpOrch.TestServer/McpOrch.TestServer.csproj bench/McpOrch.BatchBench/McpOrch.BatchBench.csproj; do
  dotnet build "$repo/$project" -c Release --nologo -v quiet >&2
done

echo "== benchmark (logs in $out)" >&2
# The benchmark stops itself after --time-limit (default 20 min); timeout is the backstop.
timeout -k 30 1800 dotnet "$bench/McpOrch.BatchBench/bin/Release/net10.0/mcp-orch-batch-bench.dll" --repo "$repo" --out "$out" "$@" \
  2> >(tee "$out/progress.log" >&2)
if [[ -f "$out/results.md" ]]; then cp "$out/results.md" "$bench/results/batch-latest.md"; fi
