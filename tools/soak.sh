#!/usr/bin/env bash
# `make soak`: the real sync under faults, kills and a second server, then both sides compared
# record by record (tools/soak.py says how). SOAK_SHORT=1 for the short variant (CI), SOAK_SEED=N
# to reproduce a run, SOAK_KEEP=1 to keep its database.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/tools/setup.sh"
# shellcheck source=/dev/null
. "${HUBSPOT_CACHE:-$here/.cache}/env.sh"
cd "$here"
exec "$HUBSPOT_VENV/bin/python" tools/soak.py
