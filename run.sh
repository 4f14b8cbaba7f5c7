#!/usr/bin/env bash
# Starts Scalpaiboard on this machine: the Aspire AppHost starts PostgreSQL, Redis and every service; the Aspire
# dashboard is on http://127.0.0.1:18888 (the AppHost prints its login link). Extra arguments go to the AppHost
# (./run.sh --help); environment variables reach every service (Ingest__Feed=replay ./run.sh). Stop with Ctrl+C.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=.ci/prerequisites.sh
source .ci/prerequisites.sh

ensure_packages run
ensure_dotnet

configuration=Release
echo "Building Scalpaiboard ($configuration)..."
# Building the AppHost builds the five services it runs (project references, as in Aspire).
if ! dotnet build src/Scalpaiboard.AppHost -c "$configuration" -v q --nologo -clp:NoSummary </dev/null >/tmp/scalpaiboard-build.$$.log 2>&1; then
  grep -E ': (error|warning) ' /tmp/scalpaiboard-build.$$.log | sort -u >&2 || cat /tmp/scalpaiboard-build.$$.log >&2
  rm -f /tmp/scalpaiboard-build.$$.log
  echo "Build failed." >&2
  exit 1
fi
rm -f /tmp/scalpaiboard-build.$$.log

# exec: `dotnet run` (with the AppHost's launch profile: the dashboard's addresses) takes this process's place, so
# Ctrl+C / SIGTERM reach it and the AppHost directly.
exec dotnet run --project src/Scalpaiboard.AppHost -c "$configuration" --no-build --launch-profile http -- "$@"
