#!/usr/bin/env bash
# `make pot`: refresh i18n/hubspot_connector.pot, the template translators start from.
# Odoo extracts the terms from an installed module: a scratch database gets it, from a
# copy of the tree without the git-ignored caches (they hold all of Odoo).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/tools/setup.sh"
# shellcheck source=/dev/null
. "${HUBSPOT_CACHE:-$here/.cache}/env.sh"

work=$(mktemp -d)
db=hubspot_pot_$$
trap 'rm -rf "$work"; dropdb --if-exists "$db" >/dev/null 2>&1 || true' EXIT
mkdir -p "$work/addons/hubspot_connector"
(cd "$here" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$work/addons/hubspot_connector")
printf '[options]\naddons_path = %s,%s\n' "$ODOO_ADDONS" "$work/addons" > "$work/odoo.conf"
"$HUBSPOT_VENV/bin/python" -m odoo -c "$work/odoo.conf" -d "$db" -i hubspot_connector --stop-after-init \
  --without-demo=True --log-level=warn --no-http
"$HUBSPOT_VENV/bin/python" -m odoo i18n export -c "$work/odoo.conf" -d "$db" hubspot_connector
mkdir -p "$here/i18n"
cp "$work/addons/hubspot_connector/i18n/hubspot_connector.pot" "$here/i18n/"
echo "== $(grep -c '^msgid ' "$here/i18n/hubspot_connector.pot") terms in i18n/hubspot_connector.pot"
# Translations follow the template (new terms appear untranslated, old ones keep their text).
if command -v msgmerge >/dev/null; then
  for po in "$here"/i18n/*.po; do
    [ -e "$po" ] && msgmerge --quiet --update --backup=none --no-fuzzy-matching "$po" "$here/i18n/hubspot_connector.pot"
  done
else
  echo "== msgmerge (gettext) is not installed: i18n/*.po were not updated"
fi
