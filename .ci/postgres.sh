#!/usr/bin/env bash
# Start a throwaway local PostgreSQL for the runtime tests.
#
# On success prints ONE line on stdout:
#     export EVENTMOD_TEST_PG_DSN=postgresql://eventmod@127.0.0.1:PORT/eventmod_test
# (eval it). On any failure prints the reason to stderr, prints nothing on stdout and exits 0,
# so the PostgreSQL runtime tests skip visibly instead of failing CI.
# It also prints `export EVENTMOD_TEST_PG_DATA=DIR` (the cluster's data dir, in a temp dir);
# stop and remove the cluster with:  bash .ci/postgres.sh stop "$EVENTMOD_TEST_PG_DATA"
# EVENTMOD_PG_NO_INSTALL=1 forbids the apt-get fallback (used by the test suite).
set -u

fail() {
  echo "postgres.sh: $*; PostgreSQL runtime tests will be skipped" >&2
  exit 0
}
quiet() { "$@" >/dev/null 2>&1; }

find_bin() {
  local name="$1" candidate
  for candidate in /usr/lib/postgresql/*/bin/"$name"; do
    [ -x "$candidate" ] && { echo "$candidate"; return 0; }
  done
  command -v "$name" 2>/dev/null && return 0
  return 1
}

INITDB="$(find_bin initdb | tail -n 1)"
if [ -z "$INITDB" ] && [ -z "${EVENTMOD_PG_NO_INSTALL:-}" ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "postgres.sh: initdb not found, installing postgresql with apt-get..." >&2
    export DEBIAN_FRONTEND=noninteractive
    quiet apt-get update || fail "apt-get update failed"
    quiet apt-get install -y -q postgresql || fail "apt-get install postgresql failed"
    INITDB="$(find_bin initdb | tail -n 1)"
  fi
fi
[ -n "$INITDB" ] || fail "initdb not found (and cannot install PostgreSQL: not root or no apt-get)"
BIN="$(dirname "$INITDB")"
for tool in pg_ctl createdb pg_isready; do
  [ -x "$BIN/$tool" ] || fail "$BIN/$tool missing"
done

# run the server as a non-root user when we are root (PostgreSQL refuses to run as root)
RUNAS=()
PGUSER_OS="$(id -un)"
if [ "$(id -u)" -eq 0 ]; then
  if ! id postgres >/dev/null 2>&1; then
    quiet useradd --system --no-create-home --shell /bin/sh postgres \
      || quiet adduser --system --no-create-home --shell /bin/sh postgres \
      || true
  fi
  if id postgres >/dev/null 2>&1; then
    PGUSER_OS=postgres
  elif id nobody >/dev/null 2>&1; then
    PGUSER_OS=nobody
  else
    fail "running as root and no unprivileged user (postgres/nobody) is available"
  fi
  if command -v runuser >/dev/null 2>&1; then
    RUNAS=(runuser -u "$PGUSER_OS" --)
  elif command -v su >/dev/null 2>&1; then
    RUNAS=(su_wrap)
  else
    fail "neither runuser nor su is available to drop root privileges"
  fi
fi
su_wrap() {
  local cmd
  cmd="$(printf '%q ' "$@")"
  su -s /bin/sh "$PGUSER_OS" -c "$cmd"
}
as_pg() { "${RUNAS[@]}" "$@"; }
[ "${#RUNAS[@]}" -eq 0 ] && as_pg() { "$@"; }

if [ "${1:-}" = "stop" ]; then
  DATA="${2:-}"
  [ -n "$DATA" ] && [ -f "$DATA/PG_VERSION" ] || { echo "postgres.sh stop: not a data dir: $DATA" >&2; exit 0; }
  as_pg "$BIN/pg_ctl" -D "$DATA" stop -m fast -w >/dev/null 2>&1 || echo "postgres.sh: pg_ctl stop failed" >&2
  case "$DATA" in
    */eventmod-pg.*/data) rm -rf "$(dirname "$DATA")" ;;
  esac
  exit 0
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/eventmod-pg.XXXXXX")" || fail "mktemp failed"
chmod 755 "$TMP"
mkdir -p "$TMP/data" "$TMP/sock" || fail "cannot create $TMP"
[ "$(id -u)" -eq 0 ] && chown -R "$PGUSER_OS" "$TMP"

PORT="$(python3 - <<'PY' 2>/dev/null
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
)"
if [ -z "$PORT" ]; then
  PORT=$(( 20000 + RANDOM % 20000 ))
fi

as_pg "$INITDB" -D "$TMP/data" --username=eventmod --auth=trust --encoding=UTF8 --locale=C \
  >"$TMP/initdb.log" 2>&1 || fail "initdb failed (see $TMP/initdb.log): $(tail -n 3 "$TMP/initdb.log" | tr '\n' ' ')"

as_pg "$BIN/pg_ctl" -D "$TMP/data" -l "$TMP/server.log" -w -t 30 \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $TMP/sock -c fsync=off -c full_page_writes=off" \
  start >/dev/null 2>&1 || fail "server did not start (see $TMP/server.log): $(tail -n 3 "$TMP/server.log" 2>/dev/null | tr '\n' ' ')"

as_pg "$BIN/pg_isready" -h 127.0.0.1 -p "$PORT" -t 10 >/dev/null 2>&1 || fail "server not ready on port $PORT"
as_pg "$BIN/createdb" -h "$TMP/sock" -p "$PORT" -U eventmod eventmod_test >/dev/null 2>&1 \
  || fail "createdb failed"

echo "postgres.sh: PostgreSQL running on 127.0.0.1:$PORT (data $TMP/data; stop: ${RUNAS[*]} $BIN/pg_ctl -D $TMP/data stop)" >&2
echo "export EVENTMOD_TEST_PG_DSN=postgresql://eventmod@127.0.0.1:$PORT/eventmod_test"
echo "export EVENTMOD_TEST_PG_DATA=$TMP/data"
