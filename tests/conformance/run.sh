#!/usr/bin/env bash
# Runs every server scenario of the MCP conformance suite (tests/servers/node_modules/@modelcontextprotocol/conformance,
# with the Node 22 bundled there) against TARGET_URL, one `server --scenario` run each, and writes RESULTS_FILE:
# one sorted line per scenario, "name PASS" or "name FAIL <reason>", which it also prints.
# A scenario passes when none of its checks is FAILURE or WARNING (the suite's own baseline rule; the suite's
# exit code counts only FAILURE). Exits 0 whatever the scenarios do; non-zero only if the suite cannot run.
# Usage: run.sh TARGET_URL RESULTS_FILE   (SCENARIO_TIMEOUT: seconds per scenario, default 60)
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 TARGET_URL RESULTS_FILE" >&2; exit 2; }
url=$1 results=$2
servers="$(cd "$(dirname "$0")/../servers" && pwd)"
node="$servers/node_modules/.bin/node"
suite="$servers/node_modules/@modelcontextprotocol/conformance/dist/index.js"
[ -x "$node" ] && [ -f "$suite" ] || { echo "The conformance suite is not installed in $servers (npm ci there)." >&2; exit 1; }

scenarios=$("$node" "$suite" list --server | sed -n 's/^  - \([^ ]*\).*/\1/p')
[ -n "$scenarios" ] || { echo "The suite lists no server scenarios." >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
lines=()
for scenario in $scenarios; do
  # The suite writes <out>/server-<scenario>-<timestamp>/checks.json; its stdout goes to a log for debugging.
  timeout "${SCENARIO_TIMEOUT:-60}" "$node" "$suite" server --url "$url" --scenario "$scenario" -o "$work/$scenario" \
    >"$work/$scenario.log" 2>&1 || true
  checks=$(ls "$work/$scenario"/*/checks.json 2>/dev/null | head -n1 || true)
  if [ -z "$checks" ]; then
    lines+=("$scenario FAIL no results (the suite crashed, or took over ${SCENARIO_TIMEOUT:-60}s) $(tail -n1 "$work/$scenario.log" | cut -c1-150)")
    continue
  fi
  # The first FAILURE (else WARNING) check, as "id: message", or nothing when all checks passed.
  reason=$("$node" -e '
    const checks = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const bad = checks.find(c => c.status === "FAILURE") ?? checks.find(c => c.status === "WARNING");
    if (bad) console.log(`${bad.status === "WARNING" ? "warning " : ""}${bad.id}: ${bad.errorMessage ?? bad.description}`.replace(/\s+/g, " ").slice(0, 200));
  ' "$checks")
  if [ -n "$reason" ]; then lines+=("$scenario FAIL $reason"); else lines+=("$scenario PASS"); fi
done

printf '%s\n' "${lines[@]}" | sort >"$results"
cat "$results"
