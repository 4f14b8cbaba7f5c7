# Shared by run.sh and test.sh: install what is missing with apt-get when root on Debian/Ubuntu, otherwise
# print the exact command and stop. Source it, then call: ensure_packages <kind>... and ensure_dotnet.

# missing_packages run|test: the Debian packages whose programs are not on this machine.
missing_packages() {
  local missing=()
  command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null 2>&1 || missing+=(postgresql)
  if [ "${1:-run}" = test ]; then
    command -v python3 >/dev/null 2>&1 || missing+=(python3)
    command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
    command -v chromedriver >/dev/null 2>&1 || [ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
  fi
  # The web UI's front-end packages are installed with npm when it is built (run and test alike).
  if [ -f src/Scalpaiboard.Web/package.json ]; then
    command -v npm >/dev/null 2>&1 || missing+=(npm)
  fi
  echo "${missing[@]}"
}

ensure_packages() {
  local missing
  missing=$(missing_packages "${1:-run}")
  [ -z "$missing" ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "Scalpaiboard needs: $missing (Debian/Ubuntu package names). Install them with your system's package manager." >&2
    exit 1
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "Scalpaiboard needs packages that are not installed. Install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y $missing" >&2
    exit 1
  fi
  echo "Installing: $missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq </dev/null
  # shellcheck disable=SC2086 # word splitting of the package list is intended
  apt-get install -y -qq --no-install-recommends $missing </dev/null >/dev/null
}

ensure_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    echo "The .NET 10 SDK is needed: https://dotnet.microsoft.com/download/dotnet/10.0 (or apt-get install dotnet-sdk-10.0 from Microsoft's feed)." >&2
    exit 1
  fi
  if ! dotnet --version >/dev/null 2>&1; then
    echo "No .NET SDK matching global.json (10.0.x) is installed:" >&2
    dotnet --version >&2 || true
    exit 1
  fi
}
