#!/usr/bin/env bash
# Builds Scalpaiboard and runs every test project; exits non-zero on any failure and ends with one summary
# line "N passed, N failed[, N skipped]". Installs what the tests need first (see .ci/prerequisites.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=.ci/prerequisites.sh
source .ci/prerequisites.sh

ensure_packages test
ensure_dotnet

results=TestResults/trx
rm -rf "$results"
mkdir -p "$results"

echo "Building..."
dotnet build Scalpaiboard.sln -c Debug -v q --nologo -clp:NoSummary </dev/null

# Every test project of the solution (Benchmarks is an exe, not a test project).
mapfile -t projects < <(dotnet sln Scalpaiboard.sln list | grep -E '^tests/.*\.Tests\.csproj$' | sort)
if [ "${#projects[@]}" -eq 0 ]; then
  echo "No test projects found in Scalpaiboard.sln." >&2
  exit 1
fi
echo "Testing ${#projects[@]} projects..."
status=0
for project in "${projects[@]}"; do
  name=$(basename "$project" .csproj)
  echo "== $name"
  dotnet test "$project" -c Debug --no-build --nologo -v q \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
    --blame-hang-timeout 5m --blame-hang-dump-type none </dev/null || status=1
done

# The engine peeks its timeframes in SIMD lanes as wide as this machine's Vector<double>: run the lane tests again
# with two doubles per vector (as on Arm: more steps per candle) and with no SIMD at all (the scalar peeks).
for setting in DOTNET_MaxVectorTBitWidth=128 DOTNET_EnableHWIntrinsic=0; do
  echo "== Scalpaiboard.Market.Tests (indicator lanes, $setting)"
  env "$setting" dotnet test tests/Scalpaiboard.Market.Tests -c Debug --no-build --nologo -v q \
    --filter "FullyQualifiedName~IndicatorLanesTests" \
    --logger "trx;LogFileName=Scalpaiboard.Market.Tests.${setting%%=*}.trx" --results-directory "$results" </dev/null || status=1
done

python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
passed = failed = skipped = 0
for path in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    counters = ET.parse(path).getroot().find("{*}ResultSummary/{*}Counters")
    if counters is None:
        continue
    passed += int(counters.get("passed", 0))
    failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0)) + int(counters.get("aborted", 0))
    skipped += int(counters.get("notExecuted", 0))
    # name each failed test with the start of its message, so a CI log says why without the .trx files
    for result in ET.parse(path).getroot().iter():
        if result.tag.endswith("}UnitTestResult") and result.get("outcome") == "Failed":
            message = next((e for e in result.iter() if e.tag.endswith("}Message")), None)
            text = (message.text or "").strip().splitlines() if message is not None else []
            print(f"FAILED {result.get('testName')}: {' '.join(text)[:400]}")
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
exit $status
