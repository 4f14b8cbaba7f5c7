#!/usr/bin/env bash
# Runs Debian's PostgreSQL for the AppHost: postgres-server.sh <bin folder> <data folder> <port> <database>, with
# the superuser's password in POSTGRES_PASSWORD.
# - first run: initdb (scram-sha-256 over TCP, no unix socket) and the database;
# - every run: stops a postmaster a killed run left on the folder, and sets the password when it changed;
# - then the server on 127.0.0.1, turning DCP's SIGTERM (PostgreSQL's "smart" shutdown, which waits for every
#   client and ends in DCP's SIGKILL) into SIGINT, the fast shutdown.
# As root, PostgreSQL runs as the postgres user (it refuses root).
set -euo pipefail
bin=$1 data=$2 port=$3 database=$4
: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is not set}"

owner=()
[ "$(id -u)" -eq 0 ] && owner=(setpriv --reuid=postgres --regid=postgres --init-groups --)
as_owner() { "${owner[@]}" "$@"; }

single_user() { # SQL on stdin, run without a server (no network, no password)
  as_owner "$bin/postgres" --single -D "$data" -c unix_socket_directories= -c listen_addresses= postgres >/dev/null
}

if [ -f "$data/postmaster.pid" ]; then
  stale=$(head -n 1 "$data/postmaster.pid")
  if [ -n "$stale" ] && kill -0 "$stale" 2>/dev/null && grep -qE '^(postgres|postmaster)$' "/proc/$stale/comm" 2>/dev/null; then
    echo "Stopping the PostgreSQL server (pid $stale) a killed run left on $data"
    kill -INT "$stale" || true
    for _ in $(seq 100); do kill -0 "$stale" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$stale" 2>/dev/null || true
  fi
fi

if [ ! -f "$data/PG_VERSION" ]; then
  echo "First run: creating the PostgreSQL data folder $data"
  mkdir -p "$data"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$data"
  chmod 700 "$data"
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  [ "$(id -u)" -eq 0 ] && chown postgres "$pwfile"
  as_owner "$bin/initdb" -D "$data" -U postgres --pwfile="$pwfile" --auth-host=scram-sha-256 --auth-local=peer \
    -E UTF8 --locale=C --no-instructions >/dev/null
  rm -f "$pwfile"
  echo "CREATE DATABASE \"$database\";" | single_user
  sha256sum <<<"$POSTGRES_PASSWORD" | cut -d' ' -f1 >"$data/scalpaiboard.password.sha256"
fi

# Password authentication only, on the loopback interface (a folder from an older run may still say "trust").
cat >"$data/pg_hba.conf" <<'HBA'
# Written by the Scalpaiboard AppHost on every start.
local all all peer
host  all all 127.0.0.1/32 scram-sha-256
host  all all ::1/128      scram-sha-256
HBA
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$data/pg_hba.conf"

hash=$(sha256sum <<<"$POSTGRES_PASSWORD" | cut -d' ' -f1)
if [ "$(cat "$data/scalpaiboard.password.sha256" 2>/dev/null)" != "$hash" ]; then
  echo "Setting the PostgreSQL password (new secrets or an older data folder)"
  echo "ALTER ROLE postgres PASSWORD '$POSTGRES_PASSWORD';" | single_user
  echo "$hash" >"$data/scalpaiboard.password.sha256"
fi

# Started directly (not through a function, which would fork a subshell), so $! is the postmaster itself.
"${owner[@]}" "$bin/postgres" -D "$data" -p "$port" -c listen_addresses=127.0.0.1 -c unix_socket_directories= \
  -c max_connections=300 -c password_encryption=scram-sha-256 &
server=$!
trap 'kill -INT "$server" 2>/dev/null' TERM INT
status=0
while kill -0 "$server" 2>/dev/null; do
  wait "$server" && status=0 || status=$?
done
exit "$status"
