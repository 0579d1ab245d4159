#!/usr/bin/env bash
# Runs every test of MCP Orch on a fresh Debian machine: installs what the tests need (PostgreSQL,
# Redis, RabbitMQ, Chromium, curl, python3 from apt; the MCP servers and the MCP conformance suite of
# tests/servers from npm), builds the solution, runs all test projects and the conformance suite
# (directly and through MCP Orch), and prints "N passed, N failed" (TRX results and scenarios) last.
# Exits non-zero when a test fails, when a test project does not run, or when no test ran.
set -uo pipefail
cd "$(dirname "$0")"

missing=()
command -v postgres >/dev/null || compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || missing+=(rabbitmq-server)
command -v chromium >/dev/null || missing+=(chromium)
command -v curl >/dev/null || missing+=(curl)
command -v python3 >/dev/null || missing+=(python3)
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

# The MCP conformance suite's server scenarios against the fixture directly, then through MCP Orch twice: its own
# endpoint in front of the fixture over stdio (/mcp/conformance), and the byte-for-byte passthrough in front of the
# fixture over HTTP (/servers/conformance/mcp). Every scenario through MCP Orch counts as a test; one that passes
# directly but not through MCP Orch fails the run.
echo "MCP conformance suite: the fixture directly, then through MCP Orch (tests/conformance)..."
conformance="$results/conformance"
mkdir -p "$conformance"
if bash tests/conformance/direct.sh "$conformance/direct.txt" >/dev/null; then
  for way in proxied passthrough; do
    if ! bash "tests/conformance/$way.sh" "$conformance/$way.txt" >/dev/null; then
      echo "The conformance suite could not run ($way)."; status=1 failed=$((failed + 1)); continue
    fi
    echo "--- conformance through MCP Orch, $way ($conformance/$way.txt; direct: $conformance/direct.txt)"
    cat "$conformance/$way.txt"
    summary=$(bash tests/conformance/compare.sh "$conformance/direct.txt" "$conformance/$way.txt") || status=1
    echo "$summary"
    regressions=$(sed -nE 's/.*; ([0-9]+) regressions$/\1/p' <<<"$summary")
    passed=$((passed + $(grep -c ' PASS$' "$conformance/$way.txt" || true))) failed=$((failed + ${regressions:-1}))
  done
else
  echo "The conformance suite could not run against the fixture."
  status=1 failed=$((failed + 1))
fi

projects=$(grep -c 'tests[/\\][^"]*Tests\.csproj' McpOrch.sln)
if [ "$files" -ne "$projects" ]; then
  echo "Only $files of $projects test projects reported results."
  status=1
fi
[ "$passed" -gt 0 ] || status=1
[ "$failed" -eq 0 ] || status=1
echo "$passed passed, $failed failed"
exit $status
