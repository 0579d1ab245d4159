#!/usr/bin/env bash
# Compares the conformance results through MCP Orch with the direct ones: a scenario that passes directly but fails
# through the proxy is a regression, unless expected-failures.txt lists it, which it may only if it fails directly too.
# Prints one line per regression and a summary; exits 1 when there is any regression or a misused expectation.
# Usage: compare.sh DIRECT_RESULTS PROXIED_RESULTS
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 DIRECT_RESULTS PROXIED_RESULTS" >&2; exit 2; }
expected=$( (grep -v '^#' "$(dirname "$0")/expected-failures.txt" || true) | awk 'NF {print $1}')
problems=0
while read -r scenario verdict _; do
  through=$(awk -v s="$scenario" '$1 == s {print $2}' "$2")
  listed=$(grep -qx "$scenario" <<<"$expected" && echo yes || echo no)
  if [ "$listed" = yes ] && [ "$verdict" = PASS ]; then
    echo "$scenario: listed as an expected failure but passes directly: take it off expected-failures.txt"; problems=$((problems + 1))
  elif [ "$verdict" = PASS ] && [ "$through" != PASS ] && [ "$listed" = no ]; then
    echo "$scenario: passes directly, fails through MCP Orch: $(awk -v s="$scenario" '$1 == s {$1 = $2 = ""; print}' "$2" | sed 's/^ *//')"
    problems=$((problems + 1))
  fi
done <"$1"
echo "conformance: $(grep -c ' PASS' "$1") of $(wc -l <"$1") scenarios pass directly, $(grep -c ' PASS' "$2") of $(wc -l <"$2") through MCP Orch; $problems regressions"
[ "$problems" -eq 0 ]
