#!/usr/bin/env bash
# `make bench`: syncs against the local sandbox, with the figures the README quotes.
# Part 1 (partners): BENCH_COMPANIES (20000) companies with BENCH_CONTACTS_PER_COMPANY (2) contacts each,
# imported, then a push of changed companies. Part 2 (deals): BENCH_DEALS (10000) deals with two line
# items each and BENCH_TICKETS (10000) tickets on BENCH_DEAL_COMPANIES (2000) companies.
# BENCH_PART=partners or deals runs one part only.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/tools/setup.sh"
# shellcheck source=/dev/null
. "${HUBSPOT_CACHE:-$here/.cache}/env.sh"

db=${BENCH_DB:-hubspot_bench}
part=${BENCH_PART:-all}
py=$HUBSPOT_VENV/bin/python
port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
opts=(--addons-path="$HUBSPOT_ADDONS_PATH" -d "$db" --db-filter="^$db\$" --http-interface=127.0.0.1 --log-level=warn)
sandbox_pid=
trap '[ -z "$sandbox_pid" ] || kill "$sandbox_pid" 2>/dev/null || true' EXIT

fresh_database() {
  echo "== fresh database $db"
  dropdb --if-exists "$db"
  "$py" -m odoo "${opts[@]}" -i hubspot_connector --stop-after-init --without-demo=True
}

# start_sandbox ARGS...: a new sandbox process on $port, seeded with ARGS. No search lag: the bench
# measures throughput, and its runs follow the seeding and its own pushes within seconds.
start_sandbox() {
  [ -z "$sandbox_pid" ] || { kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; }
  (cd "$here" && exec "$py" -m sandbox --port "$port" --seed generated --search-lag 0 "$@") > "$HUBSPOT_CACHE/bench-sandbox.log" 2>&1 &
  sandbox_pid=$!
  for _ in $(seq 600); do
    "$py" -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $port)))" && return 0
    sleep 0.2
  done
  echo "the sandbox did not start (see $HUBSPOT_CACHE/bench-sandbox.log)" >&2
  exit 1
}

if [ "$part" = all ] || [ "$part" = partners ]; then
  companies=${BENCH_COMPANIES:-20000}
  per_company=${BENCH_CONTACTS_PER_COMPANY:-2}
  fresh_database
  echo "== sandbox: $companies companies, $((companies * per_company)) contacts"
  start_sandbox --companies "$companies" --contacts-per-company "$per_company" --deals 0 --tickets 0
  echo "== inbound sync, then a push of changed companies"
  BENCH_SANDBOX_URL=http://127.0.0.1:$port "$py" -m odoo shell "${opts[@]}" --no-http < "$here/tools/bench_sync.py"
fi

if [ "$part" = all ] || [ "$part" = deals ]; then
  deals=${BENCH_DEALS:-10000}
  tickets=${BENCH_TICKETS:-10000}
  deal_companies=${BENCH_DEAL_COMPANIES:-2000}
  fresh_database
  echo "== sandbox: $deals deals with 2 line items each, $tickets tickets, on $deal_companies companies"
  start_sandbox --companies "$deal_companies" --contacts-per-company 1 --deals "$deals" --tickets "$tickets"
  echo "== deals, line items and tickets"
  BENCH_SANDBOX_URL=http://127.0.0.1:$port "$py" -m odoo shell "${opts[@]}" --no-http < "$here/tools/bench_deals.py"
fi
