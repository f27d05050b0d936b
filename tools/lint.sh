#!/usr/bin/env bash
# `make lint`: ruff (check and format) and pylint-odoo's mandatory checks.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ -f "${HUBSPOT_CACHE:-$here/.cache}/env.sh" ] || "$here/tools/setup.sh"
# shellcheck source=/dev/null
. "${HUBSPOT_CACHE:-$here/.cache}/env.sh"
cd "$here"
status=0
"$HUBSPOT_VENV/bin/ruff" check . || status=1
"$HUBSPOT_VENV/bin/ruff" format --check . || status=1
mapfile -t py < <(git ls-files -co --exclude-standard -- '*.py' | grep -v '^\.')
"$HUBSPOT_VENV/bin/pylint" --rcfile=.pylintrc "${py[@]}" __manifest__.py || status=1
[ "$status" = 0 ] && echo "lint: clean"
exit "$status"
