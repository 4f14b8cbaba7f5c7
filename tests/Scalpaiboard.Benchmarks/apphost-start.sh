#!/usr/bin/env bash
# Times the AppHost's start (launch to every service Healthy at the Gateway's /api/health and the Web UI answering)
# and stop (SIGINT to its process group, as Ctrl+C, to no process left), on a fresh data folder.
#   apphost-start.sh new [checkout] the Aspire AppHost of this checkout, or of another one (build it first:
#                                   dotnet build src/Scalpaiboard.AppHost -c Release)
#   apphost-start.sh old <checkout> the home-made AppHost of an older checkout (git worktree add ../old 9f7743a; build it in Release)
# DATA=<folder>: start from that data folder (kept; start once first so that it is initialised) instead of a fresh
# one, which also times the first run's initdb and key generation.
set -u
which=$1
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
checkout=${2:-$repo}
data=${DATA:-$(mktemp -d /tmp/startdata.XXXX)}
chmod 755 $data
if [ "$which" = old ]; then
  ( cd "$checkout"; exec setsid dotnet src/Scalpaiboard.AppHost/bin/Release/net10.0/Scalpaiboard.AppHost.dll --data $data > "$data.log" 2>&1 ) &
else
  ( cd "$checkout"; exec setsid dotnet run --project src/Scalpaiboard.AppHost -c Release --no-build --launch-profile http -- --data $data > "$data.log" 2>&1 ) &
fi
pid=$!
start=$(date +%s.%N)
while true; do
  h=$(curl -s -m 2 http://127.0.0.1:8080/api/health || true)
  w=$(curl -s -o /dev/null -w '%{http_code}' -m 2 http://127.0.0.1:5000/ || true)
  if echo "$h" | grep -q '"status":"Healthy"' && [ "$w" = 200 ]; then break; fi
  now=$(date +%s.%N)
  if (( $(echo "$now - $start > 300" | bc) )); then echo "timeout"; break; fi
  sleep 0.5
done
up=$(echo "$(date +%s.%N) - $start" | bc)
sleep 5
kill -INT -- -$pid
s2=$(date +%s.%N)
while kill -0 $pid 2>/dev/null || [ "$(pgrep -f "$data" | wc -l)" -gt 0 ]; do sleep 0.2; if (( $(echo "$(date +%s.%N) - $s2 > 30" | bc) )); then break; fi; done
down=$(echo "$(date +%s.%N) - $s2" | bc)
left=$(pgrep -f "$data" | wc -l)
printf "%s up %.1f s, stop %.1f s, processes left %s\n" $which $up $down $left
pkill -9 -f "$data" 2>/dev/null
[ -n "${DATA:-}" ] || rm -rf $data 2>/dev/null
