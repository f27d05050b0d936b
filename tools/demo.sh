#!/usr/bin/env bash
# `make demo`: set up, start the local HubSpot sandbox on 127.0.0.1, create (once) the
# `hubspot_demo` database with the addon and an account pointing at the sandbox, then
# run Odoo on http://localhost:8069 (admin / admin). Ctrl-C stops both.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/tools/setup.sh"
# shellcheck source=/dev/null
. "${HUBSPOT_CACHE:-$here/.cache}/env.sh"

db=${DEMO_DB:-hubspot_demo}
# `make demo LANG=de|fi|th`: the admin user works in that language. LANG is also the locale
# variable, so the bare code is taken here and the processes get a real locale back.
demo_lang=
case "${LANG:-}" in
  de) demo_lang=de_DE ;; fi) demo_lang=fi_FI ;; th) demo_lang=th_TH ;;
esac
if [ -n "$demo_lang" ]; then export LANG=C.UTF-8; fi
odoo_port=${ODOO_PORT:-8069}
sandbox_port=${SANDBOX_PORT:-8399}
sandbox_url=http://127.0.0.1:$sandbox_port
state=$HUBSPOT_CACHE/demo-portal.sandbox.json  # the demo seed; delete it to start over
py=$HUBSPOT_VENV/bin/python
opts=(--addons-path="$HUBSPOT_ADDONS_PATH" -d "$db" --db-filter="^$db\$" --http-interface=127.0.0.1)

port_busy() { "$py" -c "import socket,sys; s=socket.socket(); sys.exit(0 if s.connect_ex(('127.0.0.1', $1)) == 0 else 1)"; }
port_busy "$odoo_port" && { echo "Port $odoo_port is taken: stop what runs there or use ODOO_PORT=8070 make demo"; exit 1; }
port_busy "$sandbox_port" && { echo "Port $sandbox_port is taken: use SANDBOX_PORT=8400 make demo"; exit 1; }

echo "== starting the HubSpot sandbox on $sandbox_url (state kept in $state)"
(cd "$here" && exec "$py" -m sandbox --host 127.0.0.1 --port "$sandbox_port" --token sandbox-token --seed demo --state-file "$state") &
sandbox_pid=$!
odoo_pid=
stop_all() {
  trap - EXIT INT TERM
  kill $odoo_pid "$sandbox_pid" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop_all EXIT
trap 'stop_all; exit 130' INT TERM
for _ in $(seq 50); do port_busy "$sandbox_port" && break; sleep 0.1; done

if [ "$(psql -X -d postgres -tAc "select 1 from pg_database where datname = '$db'")" != 1 ]; then
  echo "== creating database $db with hubspot_connector (about a minute)"
  "$py" -m odoo "${opts[@]}" -i hubspot_connector --stop-after-init --without-demo=True --log-level=warn
else
  echo "== updating hubspot_connector in $db (the code may have changed since it was created)"
  "$py" -m odoo "${opts[@]}" -u hubspot_connector --stop-after-init --log-level=warn
fi

echo "== pointing the demo account at the sandbox"
DEMO_LANG=$demo_lang SANDBOX_URL=$sandbox_url "$py" -m odoo shell "${opts[@]}" --no-http --log-level=warn < "$here/tools/demo_account.py"

cat <<MSG

  Odoo:     http://localhost:$odoo_port  (login admin / password admin)
  Open:     HubSpot > Pending Companies (new HubSpot companies to accept; their contacts follow),
            HubSpot > Sync > Runs, HubSpot > Configuration > Accounts > "HubSpot sandbox"
            (the sync starts within a minute and then runs every 5 minutes)
  Sandbox:  $sandbox_url  e.g. curl -H 'Authorization: Bearer sandbox-token' \\
            '$sandbox_url/crm/objects/2026-03/companies?limit=5&properties=name,domain'
  Ctrl-C stops Odoo and the sandbox.

MSG
"$py" -m odoo "${opts[@]}" --http-port="$odoo_port" --gevent-port=0 --log-level=info &
odoo_pid=$!
wait "$odoo_pid"
