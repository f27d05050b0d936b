#!/usr/bin/env bash
# `make screenshots`: the README's pictures of an account's health dashboard and of the runs
# list. A fresh database, the sandbox's demo portal, a few syncs, then Odoo and headless
# Chromium (tools/screenshots.py) capture the pages into doc/screenshots/ (SCREENSHOTS_DIR).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/tools/setup.sh"
# shellcheck source=/dev/null
. "${HUBSPOT_CACHE:-$here/.cache}/env.sh"

db=${SCREENSHOTS_DB:-hubspot_screenshots}
out=${SCREENSHOTS_DIR:-$here/doc/screenshots}
py=$HUBSPOT_VENV/bin/python
free_port() { "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port_open() { "$py" -c "import socket,sys; s=socket.socket(); sys.exit(0 if s.connect_ex(('127.0.0.1', $1)) == 0 else 1)"; }
odoo_port=$(free_port)
sandbox_port=$(free_port)
sandbox_url=http://127.0.0.1:$sandbox_port
logs=$HUBSPOT_CACHE/logs
mkdir -p "$logs"
# No cron worker: the pages show exactly the runs made below.
opts=(--addons-path="$HUBSPOT_ADDONS_PATH" -d "$db" --db-filter="^$db\$" --http-interface=127.0.0.1
  --max-cron-threads=0 --log-level=warn)

sandbox_pid= odoo_pid=
stop_all() {
  [ -z "$odoo_pid" ] || kill "$odoo_pid" 2>/dev/null || true
  [ -z "$sandbox_pid" ] || kill "$sandbox_pid" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop_all EXIT

echo "== sandbox with the demo portal on $sandbox_url"
(cd "$here" && exec "$py" -m sandbox --host 127.0.0.1 --port "$sandbox_port" --token sandbox-token --seed demo) \
  > "$logs/screenshots-sandbox.log" 2>&1 &
sandbox_pid=$!
for _ in $(seq 100); do port_open "$sandbox_port" && break; sleep 0.1; done

echo "== fresh database $db"
dropdb --if-exists "$db"
"$py" -m odoo "${opts[@]}" -i hubspot_connector --stop-after-init --without-demo=True

echo "== the demo account, a few sync cycles"
SANDBOX_URL=$sandbox_url "$py" -m odoo shell "${opts[@]}" --no-http < "$here/tools/demo_account.py"
account=$(SANDBOX_URL=$sandbox_url "$py" -m odoo shell "${opts[@]}" --no-http < "$here/tools/screenshots_seed.py" | tail -n 1)

echo "== Odoo on port $odoo_port, Chromium"
"$py" -m odoo "${opts[@]}" --http-port="$odoo_port" --gevent-port=0 > "$logs/screenshots-odoo.log" 2>&1 &
odoo_pid=$!
for _ in $(seq 300); do port_open "$odoo_port" && break; sleep 0.2; done
"$py" "$here/tools/screenshots.py" "http://127.0.0.1:$odoo_port" "$db" "$out" \
  "account-dashboard=/odoo/action-hubspot_connector.hubspot_account_action/$account@.o_field_widget[name=dashboard_ids] .o_data_row@.o_field_widget[name=dashboard_ids]" \
  "sync-runs=/odoo/action-hubspot_connector.hubspot_sync_run_action@.o_list_view .o_data_row@.o_list_table"
echo "== done: $out"
