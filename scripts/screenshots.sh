#!/usr/bin/env bash
# The README's screenshots, taken by Odoo's tour browser (headless Chromium, 1366x768) on a
# throwaway database: `bash scripts/screenshots.sh [output folder]` (default docs/screenshots).
# A small sandbox shop goes through import, delivery, a return and a payout, then
# tests/screenshots.py captures the dashboard, the workbench, a return, the backend form and a
# payout. scripts/test.sh (CI) never runs it: pytest only collects test_*.py files.
set -uo pipefail
source "$(dirname "$0")/common.sh"

check_odoo
check_requirements
check_postgres
command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null \
    || die "a headless Chromium is required (Debian: apt-get install chromium)"

OUT=${1:-${RETAIL_SCREENSHOTS_DIR:-$ROOT/docs/screenshots}}
mkdir -p "$OUT" || die "cannot create $OUT"
OUT=$(cd "$OUT" && pwd)
DB="retail_screenshots_$(date +%Y%m%d%H%M%S)_$$"
WORK=$(mktemp -d)
CONF="$WORK/odoo.conf"
write_odoo_conf "$CONF" "$DB" ""

cleanup() {
    "$PYTHON" -m odoo db --config "$CONF" drop "$DB" >/dev/null 2>&1 || dropdb --if-exists "$DB" >/dev/null 2>&1
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "== Installing the suite into $DB"
"$PYTHON" -m odoo server -c "$CONF" -d "$DB" -i "$SUITE_ADDONS" --stop-after-init --log-level=warn \
    --logfile "$WORK/install.log" || { tail -50 "$WORK/install.log"; exit 1; }

echo "== Taking the screenshots into $OUT"
cd "$ROOT" || exit 2
RETAIL_SCREENSHOTS_DIR="$OUT" "$PYTHON" -m pytest -p no:cacheprovider --odoo-config "$CONF" --odoo-database "$DB" \
    --odoo-http --odoo-log-level=warn -q tests/screenshots.py || exit 1
ls -l "$OUT"/*.png
