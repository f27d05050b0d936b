#!/usr/bin/env bash
# `make test`: set up, create a fresh database, install the addon, run its whole
# test suite (browser tours included) with Odoo's runner, run the linters, and
# fail on any failed/errored/skipped test or any WARNING/ERROR/CRITICAL log line.
# Ends with the line "N passed, N failed".
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/tools/setup.sh"
# shellcheck source=/dev/null
. "${HUBSPOT_CACHE:-$here/.cache}/env.sh"

logs=$HUBSPOT_CACHE/logs
mkdir -p "$logs"
db=${HUBSPOT_TEST_DB:-hubspot_test_$$}
log=$logs/test-$(date +%Y%m%d-%H%M%S)-$$.log
port=$("$HUBSPOT_VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
tags=${TEST_TAGS:-/hubspot_connector}

# KEEP_DB=1 (with HUBSPOT_TEST_DB=name) keeps the database for a faster next run,
# which then updates the module instead of installing it.
install=-i
if [ -n "${KEEP_DB:-}" ]; then
  if [ "$(psql -X -d postgres -tAc "select 1 from pg_database where datname = '$db'")" = 1 ]; then install=-u; fi
else
  cleanup() { dropdb --if-exists "$db" >/dev/null 2>&1 || true; }
  trap cleanup EXIT
  cleanup
fi

echo "== tests: database $db, log $log"
start=$(date +%s)
: > "$log"  # exists before `tail -f` looks for it (the background job may not have opened it yet)
set +e
# Show the test progress and anything that is not plain INFO; keep all in the log.
"$HUBSPOT_VENV/bin/python" -m odoo \
  --addons-path="$HUBSPOT_ADDONS_PATH" -d "$db" "$install" hubspot_connector \
  --test-enable --test-tags="$tags" --stop-after-init \
  --http-interface=127.0.0.1 --http-port="$port" --gevent-port=0 \
  --db-filter="^$db\$" --without-demo=True --log-level=info --max-cron-threads=0 \
  > "$log" 2>&1 &
odoo_pid=$!
tail -n +1 -f "$log" --pid=$odoo_pid | awk '
  /^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:,]+ [0-9]+ [A-Z]+ / {
    show = ($4 != "INFO") || /odoo\.tests|: (Starting|skipped) |: [0-9]+ failed, /
  }
  show { print; fflush() }'
wait $odoo_pid
rc=$?
set -e
secs=$(( $(date +%s) - start ))

report=$(grep -oE '[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests' "$log" | tail -n 1 || true)
read -r failed errors total <<<"$(echo "$report" | sed -E 's/([0-9]+) failed, ([0-9]+) error\(s\) of ([0-9]+) tests/\1 \2 \3/')"
failed=${failed:-0} errors=${errors:-0} total=${total:-0}
skipped=$(grep -cE '^[0-9-]+ [0-9:,]+ [0-9]+ INFO [^ ]+ [^ ]+: skipped ' "$log" || true)
bad=$(grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (WARNING|ERROR|CRITICAL) ' "$log" || true)

problems=0
if [ "$rc" != 0 ]; then echo "odoo exited with status $rc"; problems=1; fi
if [ "$total" = 0 ]; then echo "no test ran"; problems=1; fi
if [ "$skipped" != 0 ] && [ -z "${ALLOW_SKIPS:-}" ]; then echo "$skipped test(s) skipped: a skipped test is not a pass"; problems=1; fi
if [ -n "$bad" ]; then
  echo "WARNING/ERROR lines were logged (the addon must install and test without any):"
  printf '%s\n' "$bad" | head -n 40
  problems=1
fi

lint_failed=0
if [ -z "${SKIP_LINT:-}" ]; then
  echo "== lint"
  "$here/tools/lint.sh" || lint_failed=1
fi

passed=$(( total - failed - errors - skipped ))
nfailed=$(( failed + errors + lint_failed ))
[ "$problems" = 0 ] || [ "$nfailed" != 0 ] || nfailed=1
echo "== $total tests in ${secs}s (log: $log)"
echo "$passed passed, $nfailed failed, $skipped skipped"
[ "$nfailed" = 0 ] && [ "$problems" = 0 ]
