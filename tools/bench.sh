#!/usr/bin/env bash
# `make bench`: the inbound sync against the local sandbox, with the figures the README
# quotes. BENCH_COMPANIES (20000) and BENCH_CONTACTS_PER_COMPANY (2) size the portal.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/tools/setup.sh"
# shellcheck source=/dev/null
. "${HUBSPOT_CACHE:-$here/.cache}/env.sh"

db=${BENCH_DB:-hubspot_bench}
companies=${BENCH_COMPANIES:-20000}
per_company=${BENCH_CONTACTS_PER_COMPANY:-2}
py=$HUBSPOT_VENV/bin/python
port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
opts=(--addons-path="$HUBSPOT_ADDONS_PATH" -d "$db" --db-filter="^$db\$" --http-interface=127.0.0.1 --log-level=warn)

echo "== fresh database $db"
dropdb --if-exists "$db"
"$py" -m odoo "${opts[@]}" -i hubspot_connector --stop-after-init --without-demo=True

echo "== sandbox: $companies companies, $((companies * per_company)) contacts"
(cd "$here" && exec "$py" -m sandbox --port "$port" --seed generated --companies "$companies" \
   --contacts-per-company "$per_company" --deals 0 --tickets 0) > "$HUBSPOT_CACHE/bench-sandbox.log" 2>&1 &
sandbox_pid=$!
trap 'kill "$sandbox_pid" 2>/dev/null || true' EXIT
for _ in $(seq 600); do
  "$py" -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $port)))" && break
  sleep 0.2
done

echo "== inbound sync, then a push of changed companies"
BENCH_SANDBOX_URL=http://127.0.0.1:$port "$py" -m odoo shell "${opts[@]}" --no-http < "$here/tools/bench_sync.py"
