#!/usr/bin/env bash
# The README's run command: set everything up and serve Odoo with the suite on
# 127.0.0.1 (demo database, queue_job runner on). Ctrl-C stops it.
set -uo pipefail
source "$(dirname "$0")/common.sh"

check_odoo
check_requirements
check_postgres

DB=${RETAIL_DEMO_DB:-retail_demo}
PORT=${RETAIL_HTTP_PORT:-8069}
STATE="$ROOT/.run"
CONF="$STATE/odoo.conf"
mkdir -p "$STATE"
write_odoo_conf "$CONF" "$DB" ""
cat >>"$CONF" <<CONF
http_port = $PORT
data_dir = $STATE/data
server_wide_modules = base,web,queue_job
logfile = $STATE/odoo.log

[queue_job]
channels = root:2,root.retail:2,root.retail.import:2,root.retail.export:1,root.retail.webhook:2
CONF

installed=$("$PYTHON" - "$DB" <<'PY'
import sys, psycopg2
try:
    conn = psycopg2.connect(dbname=sys.argv[1], connect_timeout=5)
    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM ir_module_module WHERE state = 'installed' AND name LIKE 'retail_%%'")
    print(cur.fetchone()[0])
except psycopg2.Error:
    print(0)
PY
)
if [ "$installed" -lt 4 ]; then
    echo "== Creating the demo database $DB with the suite (takes a few minutes the first time)"
    "$PYTHON" -m odoo server -c "$CONF" -d "$DB" -i "$SUITE_ADDONS" --with-demo --stop-after-init \
        || die "installing the suite failed: see $STATE/odoo.log"
else
    echo "== Upgrading the suite in $DB"
    "$PYTHON" -m odoo server -c "$CONF" -d "$DB" -u "$SUITE_ADDONS" --stop-after-init \
        || die "upgrading the suite failed: see $STATE/odoo.log"
fi
echo "== Odoo with the Retail Connector Suite: http://127.0.0.1:$PORT (login admin / admin); log: $STATE/odoo.log"
exec "$PYTHON" -m odoo server -c "$CONF" -d "$DB"
