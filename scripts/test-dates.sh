#!/usr/bin/env bash
# Runs test files with the whole stack's clock moved to calendar boundaries (issue 10: no test may depend on the
# date). Node AND a private PostgreSQL 15 run under Debian's libfaketime with the same offset, so that NOW() in
# SQL and Date.now() in JavaScript agree, as they do in production; faking only one of them would test clock skew
# between the service and its database instead.
#
#   npm run test:dates                        # lifecycle, seed, auth and profiles tests on two boundary days
#   npm run test:dates -- 2027-02-28 src/lifecycle/jobs/retention-analytics.test.ts
#
# Days default to the 1st of next month and the last day of this month (UTC). Needs `faketime`
# (apt-get install faketime) and PostgreSQL 15's server binaries (/usr/lib/postgresql/15/bin, or PG_BIN).
# Not part of `npm test` or .ci/run: it migrates a fresh cluster per day and runs the files one at a time.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

days=()
files=()
for argument in "$@"; do
  if [[ $argument =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]]; then days+=("$argument"); else files+=("$argument"); fi
done
if [ ${#days[@]} -eq 0 ]; then
  days=("$(date -u -d "$(date -u +%Y-%m-01) +1 month" +%Y-%m-%d)"
    "$(date -u -d "$(date -u +%Y-%m-01) +1 month -1 day" +%Y-%m-%d)")
fi
if [ ${#files[@]} -eq 0 ]; then
  mapfile -t files < <(ls src/lifecycle/*.test.ts src/lifecycle/*/*.test.ts src/seed/*.test.ts \
    src/cli/seed.commands.test.ts src/domains/auth/*.test.ts src/domains/profiles/*.test.ts 2>/dev/null)
fi

library=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -n 1 || true)
if [ -z "$library" ]; then
  echo "test:dates: libfaketime not found: apt-get install faketime" >&2
  exit 2
fi
pg_bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$pg_bin/initdb" ]; then
  echo "test:dates: no PostgreSQL 15 server binaries in $pg_bin (set PG_BIN)" >&2
  exit 2
fi

work=$(mktemp -d /tmp/veza-test-dates.XXXXXX)
# PostgreSQL refuses to run as root: the cluster belongs to the postgres user when there is one.
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres > /dev/null 2>&1 || { echo "test:dates: running as root needs a postgres user" >&2; exit 2; }
  as_owner=(runuser -u postgres --)
  chown postgres "$work"
fi
stop_cluster() {
  if [ -f "$work/data/postmaster.pid" ]; then
    "${as_owner[@]}" "$pg_bin/pg_ctl" -D "$work/data" -m fast -w stop > /dev/null 2>&1 || true
  fi
}
trap 'stop_cluster; rm -rf "$work"' EXIT

status=0
for day in "${days[@]}"; do
  # Noon: a run of several minutes stays inside the day it is meant to test.
  offset=$(($(date -u -d "${day}T12:00:00Z" +%s) - $(date -u +%s)))
  clock=(env LD_PRELOAD="$library" FAKETIME="$(printf "%+d" "$offset")" FAKETIME_DONT_FAKE_MONOTONIC=1 FAKETIME_NO_CACHE=1)

  stop_cluster
  rm -rf "$work/data"
  "${as_owner[@]}" "$pg_bin/initdb" -D "$work/data" -U postgres -A trust --no-sync > /dev/null
  port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
  "${as_owner[@]}" "${clock[@]}" "$pg_bin/pg_ctl" -D "$work/data" -l "$work/postgres.log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$work -c fsync=off" start > /dev/null

  database_now=$(node -e "
    const pg = require('pg');
    const client = new pg.Client('postgres://postgres@127.0.0.1:$port/postgres');
    client.connect().then(() => client.query('SELECT now()::text AS now')).then((r) => {
      console.log(r.rows[0].now); return client.end(); });")
  node_now=$("${clock[@]}" node -e 'console.log(new Date().toISOString())')
  echo "test:dates: $day: PostgreSQL says $database_now, Node says $node_now"
  case "$database_now $node_now" in
    "$day"*" $day"*) ;;
    *)
      echo "test:dates: the clock was not moved to $day" >&2
      exit 2
      ;;
  esac

  # Under libfaketime PostgreSQL's own timers never fire (statement_timeout and lock_timeout do not cancel
  # anything: checked with pg_sleep), so the one test that waits for a lock_timeout would hang; it has nothing to do
  # with the date. --test-timeout turns any other such wait into a failure instead of a hang.
  if ! "${clock[@]}" DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres" \
    node --test --test-concurrency=1 --test-timeout=300000 --test-skip-pattern='after the lock timeout' \
    --test-global-setup=test/helpers/global-setup.ts "${files[@]}"; then
    echo "test:dates: FAILED on $day" >&2
    status=1
  fi
done
exit $status
