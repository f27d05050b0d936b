#!/usr/bin/env bash
# Provide an Odoo 19 source tree for development and tests.
#
# Order: $ODOO_SRC (an Odoo 19 tree you already have), else the cached extraction,
# else Debian's `odoo-19` package (suite sid) fetched with a private apt state and
# unpacked into the cache, never installed system-wide. The Debian mirror is read
# from this machine's own apt configuration at run time.
#
# On success prints two lines, ODOO_PYPATH=... and ODOO_ADDONS=..., for tools/env.sh.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${HUBSPOT_CACHE:-$here/.cache}
root=$cache/odoo19/root
marker=$cache/odoo19/.complete

say() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

odoo_major() {  # $1: directory that contains the `odoo` package
  python3 - "$1" <<'PY'
import re, sys, pathlib
text = (pathlib.Path(sys.argv[1]) / "odoo" / "release.py").read_text()
m = re.search(r"version_info\s*=\s*\(\s*(?:'saas~)?(\d+)", text)
print(m.group(1) if m else "")
PY
}

emit() {  # $1: python path (parent of the odoo package)
  local py=$1 addons=$1/odoo/addons
  # A git checkout keeps most addons beside the package (odoo-bin, addons/); Debian's
  # package has them all in odoo/addons.
  if [ -f "$py/odoo-bin" ] && [ -d "$py/addons" ]; then addons="$py/addons,$addons"; fi
  printf 'ODOO_PYPATH=%s\nODOO_ADDONS=%s\n' "$py" "$addons"
}

if [ -n "${ODOO_SRC:-}" ]; then
  src=$(cd "$ODOO_SRC" && pwd) || die "ODOO_SRC=$ODOO_SRC is not a directory"
  [ -f "$src/odoo/release.py" ] || die "ODOO_SRC=$src has no odoo/release.py (point it at the folder that contains the 'odoo' package)"
  [ "$(odoo_major "$src")" = 19 ] || die "ODOO_SRC=$src is not Odoo 19"
  say "using Odoo from ODOO_SRC=$src"
  emit "$src"
  exit 0
fi

if [ -f "$marker" ]; then
  say "using cached Odoo 19 in $root"
  emit "$root/usr/lib/python3/dist-packages"
  exit 0
fi

command -v apt-get >/dev/null && command -v dpkg >/dev/null || die \
  "no Odoo 19 found and this is not a Debian machine. Provide an Odoo 19 source tree: ODOO_SRC=/path/to/odoo make test"

# The machine's own Debian mirror: the URIs of the stanza (or line) that serves bookworm.
mirror=$(python3 - <<'PY'
import glob, re
uris = []
for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
    for stanza in re.split(r"\n\s*\n", open(path, encoding="utf-8").read()):
        fields = {}
        for line in stanza.splitlines():
            if ":" in line and not line.lstrip().startswith("#"):
                key, _, value = line.partition(":")
                fields[key.strip().lower()] = value.strip()
        if "bookworm" in fields.get("suites", "").split() and "deb" in fields.get("types", "").split():
            uris += fields.get("uris", "").split()
for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError:
        continue
    for line in lines:
        parts = re.sub(r"\[[^]]*\]", "", line).split()
        if len(parts) >= 3 and parts[0] == "deb" and parts[2] == "bookworm":
            uris.append(parts[1])
print(uris[0] if uris else "")
PY
)
[ -n "$mirror" ] || die "no Debian bookworm entry in this machine's apt sources; provide Odoo 19 with ODOO_SRC=/path/to/odoo"

work=$cache/odoo19/apt
rm -rf "$work" "$root"
mkdir -p "$work/etc" "$work/lists/partial" "$work/cache/archives/partial" "$work/debs" "$root"
cat > "$work/etc/odoo.sources" <<SRC
Types: deb
URIs: $mirror
Suites: sid
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $mirror
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
apt_opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$work/etc"
          -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache"
          -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
say "fetching package lists (sid + bookworm) from the machine's Debian mirror"
apt-get "${apt_opts[@]}" -qq update >&2 || die "apt-get update failed"
say "downloading odoo-19 and the fonts/js packages its web client links to"
(cd "$work/debs" && apt-get "${apt_opts[@]}" -qq download odoo-19 fonts-montserrat \
   fonts-font-awesome/bookworm fonts-roboto-unhinted/bookworm fonts-ocr-b/bookworm \
   fonts-inconsolata/bookworm libjs-jquery/bookworm libjs-jquery-form/bookworm \
   libjs-underscore/bookworm >&2) || die "apt-get download failed"
for deb in "$work"/debs/*.deb; do
  say "unpacking $(basename "$deb")"
  dpkg -x "$deb" "$root"
done
dist=$root/usr/lib/python3/dist-packages
[ "$(odoo_major "$dist")" = 19 ] || die "the unpacked package is not Odoo 19"

# Debian strips this file (dfsg); without it every asset bundle logs an ERROR.
selfie=$dist/odoo/addons/mail/static/lib/selfie_segmentation/selfie_segmentation.js
[ -f "$selfie" ] || { mkdir -p "$(dirname "$selfie")"; echo '/* removed by Debian (dfsg); background blur unavailable */' > "$selfie"; }

dangling=$(find "$root" -xtype l | wc -l)
[ "$dangling" = 0 ] || die "$dangling dangling links remain in $root (find $root -xtype l)"
rm -rf "$work/lists" "$work/cache"
touch "$marker"
say "Odoo 19 ready in $root"
emit "$dist"
