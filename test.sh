#!/usr/bin/env bash
# Runs every test of MCP Orch on a fresh Debian machine: installs what the tests need (PostgreSQL,
# Redis, RabbitMQ, Chromium from apt; the MCP servers of tests/servers from npm), builds the
# solution, runs all test projects, and prints "N passed, N failed" (from the TRX results) last.
# Exits non-zero when a test fails, when a test project does not run, or when no test ran.
set -uo pipefail
cd "$(dirname "$0")"

missing=()
command -v postgres >/dev/null || compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
command -v chromium >/dev/null || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing ${missing[*]} (apt)..."
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null \
    || { echo "Could not install ${missing[*]}: install them with apt-get and run again."; echo "0 passed, 1 failed"; exit 1; }
fi

if [ -f tests/servers/package-lock.json ]; then
  echo "Installing the MCP servers of tests/servers (npm ci)..."
  (cd tests/servers && npm ci --no-audit --no-fund --loglevel=error) \
    || { echo "npm ci failed in tests/servers."; echo "0 passed, 1 failed"; exit 1; }
fi

dotnet build McpOrch.sln -c Release -nologo -clp:NoSummary \
  || { echo "The build failed."; echo "0 passed, 1 failed"; exit 1; }

results=TestResults
rm -rf "$results"
dotnet test McpOrch.sln -c Release --no-build --logger trx --results-directory "$results" --blame-hang-timeout 10m
status=$?

passed=0 failed=0 files=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  p=$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")
  f=$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")
  e=$(sed -E 's/.* error="([0-9]+)".*/\1/' <<<"$counters")
  passed=$((passed + p)) failed=$((failed + f + e))
done

projects=$(grep -c 'tests[/\\][^"]*Tests\.csproj' McpOrch.sln)
if [ "$files" -ne "$projects" ]; then
  echo "Only $files of $projects test projects reported results."
  status=1
fi
[ "$passed" -gt 0 ] || status=1
[ "$failed" -eq 0 ] || status=1
echo "$passed passed, $failed failed"
exit $status
