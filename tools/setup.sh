#!/usr/bin/env bash
# Idempotent development set-up shared by `make test`, `make demo` and `make lint`.
#   1. Odoo 19 (tools/setup_odoo.sh)          -> .cache/odoo19 (or $ODOO_SRC)
#   2. a venv with tools/requirements-dev.txt -> .cache/venv (reinstalled only when the file changes)
#   3. an addons folder where this repository is named `hubspot_connector`
#   4. PostgreSQL reachable, with a role for the current user
#   5. Chromium for the browser tests
# Writes .cache/env.sh, which the other tools source. Every step is skipped when already done.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${HUBSPOT_CACHE:-$here/.cache}
mkdir -p "$cache"
say() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

# 1. Odoo 19
odoo_env=$("$here/tools/setup_odoo.sh")
ODOO_PYPATH=$(printf '%s\n' "$odoo_env" | sed -n 's/^ODOO_PYPATH=//p')
ODOO_ADDONS=$(printf '%s\n' "$odoo_env" | sed -n 's/^ODOO_ADDONS=//p')

# 2. The venv
python=${PYTHON:-python3}
venv=$cache/venv
req=$here/tools/requirements-dev.txt
stamp=$venv/.requirements.sha256
want=$(sha256sum "$req" | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ]; then
  say "creating the venv in $venv"
  "$python" -m venv "$venv"
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "installing pinned Python packages (tools/requirements-dev.txt)"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req" 2>&1 \
    | grep -v 'is ignored: it is neither a file nor a directory' >&2 || true
  "$venv/bin/python" -c 'import requests, responses, freezegun, websocket, psycopg2, lxml' \
    || die "the venv is incomplete; see the pip output above"
  printf '%s\n' "$want" > "$stamp"
fi
site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
printf '%s\n' "$ODOO_PYPATH" > "$site/odoo19.pth"
"$venv/bin/python" -c 'import odoo.release as r; assert r.version_info[0] == 19' \
  || die "Odoo 19 is not importable from the venv"

# 3. Addons folder: Odoo wants a folder named like the module.
mkdir -p "$cache/addons"
ln -sfn "$here" "$cache/addons/hubspot_connector"

# 4. PostgreSQL
pg_ok() { psql -X -q -d postgres -c 'select 1' >/dev/null 2>&1; }
command -v psql >/dev/null || die "PostgreSQL client (psql) not found: install PostgreSQL >= 13 (apt-get install postgresql)"
if ! pg_ok; then
  if ! psql -X -q -U postgres -d postgres -c 'select 1' >/dev/null 2>&1 \
     && ! su postgres -c "psql -X -q -d postgres -c 'select 1'" >/dev/null 2>&1; then
    if command -v pg_lsclusters >/dev/null; then
      pg_lsclusters --no-header 2>/dev/null | while read -r ver name _ status _; do
        if [ "$status" != online ]; then
          say "starting PostgreSQL cluster $ver/$name"
          pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start >&2 || true
        fi
      done
    fi
  fi
  if ! pg_ok; then
    me=$(id -un)
    say "creating a PostgreSQL superuser role for $me"
    if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1; then
      su postgres -c "createuser -s '$me'" >&2 || true
    else
      createuser -U postgres -s "$me" >&2 || true
    fi
  fi
  pg_ok || die "PostgreSQL is not reachable for user $(id -un) on the local socket. Start it (pg_ctlcluster 15 main start) and create a role: createuser -s $(id -un)"
fi

# 5. Chromium for browser tests
chrome=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$chrome" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Chromium from Debian's packages (browser tests)"
    log=$cache/chromium-install.log
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } >"$log" 2>&1 \
      || { tail -n 20 "$log" >&2; die "could not install chromium (log: $log); install it (apt-get install chromium) for the browser tests"; }
  else
    say "Chromium is missing and I am not root: install it (apt-get install chromium); browser tests will fail without it"
  fi
fi

cat > "$cache/env.sh" <<ENV
# written by tools/setup.sh
export ODOO_PYPATH='$ODOO_PYPATH'
export ODOO_ADDONS='$ODOO_ADDONS'
export HUBSPOT_VENV='$venv'
export HUBSPOT_ADDONS_PATH='$ODOO_ADDONS,$cache/addons'
export HUBSPOT_CACHE='$cache'
ENV
say "ready"
