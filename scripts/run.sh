#!/usr/bin/env bash
# The README's run command: set everything up and serve Odoo with the suite on
# 127.0.0.1 (demo database, queue_job runner on), next to a local Shopify
# sandbox store wired to it (RETAIL_DEMO_SHOPIFY=0 leaves it out). Ctrl-C stops both.
set -uo pipefail
source "$(dirname "$0")/common.sh"

check_odoo
check_requirements
check_postgres

DB=${RETAIL_DEMO_DB:-retail_demo}
PORT=${RETAIL_HTTP_PORT:-8069}
STATE="$ROOT/.run"
CONF="$STATE/odoo.conf"
SANDBOX_PORT=${RETAIL_SANDBOX_PORT:-8765}
SANDBOX_URL="http://127.0.0.1:$SANDBOX_PORT"
SANDBOX_ORDERS=${RETAIL_SANDBOX_ORDERS:-60}
DEMO_SHOPIFY=${RETAIL_DEMO_SHOPIFY:-1}
mkdir -p "$STATE"
ODOO_PID=""
SANDBOX_PID=""

# Whatever ends this script (Ctrl-C, kill, an error) stops what it started.
cleanup() {
    if [ -n "$ODOO_PID" ]; then
        kill "$ODOO_PID" 2>/dev/null && wait "$ODOO_PID" 2>/dev/null
    fi
    if [ -n "$SANDBOX_PID" ]; then
        kill "$SANDBOX_PID" 2>/dev/null && wait "$SANDBOX_PID" 2>/dev/null
        echo "== Shopify sandbox stopped"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
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

if [ "$DEMO_SHOPIFY" != 0 ]; then
    # The sandbox's token and webhook secret are made once and kept with its store (.run/).
    SECRETS="$STATE/shopify_sandbox.env"
    if [ ! -f "$SECRETS" ]; then
        "$PYTHON" -c 'import secrets; print(f"RETAIL_SANDBOX_TOKEN=shpat_{secrets.token_hex(16)}"); print(f"RETAIL_SANDBOX_SECRET={secrets.token_urlsafe(32)}")' >"$SECRETS"
        chmod 600 "$SECRETS"
    fi
    # shellcheck disable=SC1090
    source "$SECRETS"
    if (exec 3<>"/dev/tcp/127.0.0.1/$SANDBOX_PORT") 2>/dev/null; then
        die "port $SANDBOX_PORT is taken: stop what listens there or set RETAIL_SANDBOX_PORT"
    fi
    # A large query-cost bucket (Shopify's standard one, 1,000 points restored at 50/s, would make the
    # first catch-up of 60 orders take minutes; RETAIL_SANDBOX_BUCKET / RETAIL_SANDBOX_RESTORE change it).
    # The sandbox sends its webhooks to one URL (the backend's, known once the backend exists: kept here).
    HOOK_FILE="$STATE/shopify_webhook_url"
    start_sandbox() {
        local hook=()
        [ -s "$HOOK_FILE" ] && hook=(--webhook-url "$(cat "$HOOK_FILE")")
        "$PYTHON" "$ROOT/scripts/shopify_sandbox.py" --host 127.0.0.1 --port "$SANDBOX_PORT" \
            --orders "$SANDBOX_ORDERS" --seed 7 --state "$STATE/shopify_sandbox.json" \
            --token "$RETAIL_SANDBOX_TOKEN" --webhook-secret "$RETAIL_SANDBOX_SECRET" "${hook[@]}" \
            --bucket-size "${RETAIL_SANDBOX_BUCKET:-20000}" --restore-rate "${RETAIL_SANDBOX_RESTORE:-1000}" \
            >>"$STATE/shopify_sandbox.log" 2>&1 &
        SANDBOX_PID=$!
        for _ in $(seq 60); do
            (exec 3<>"/dev/tcp/127.0.0.1/$SANDBOX_PORT") 2>/dev/null && return 0
            kill -0 "$SANDBOX_PID" 2>/dev/null || die "the Shopify sandbox did not start: see $STATE/shopify_sandbox.log"
            sleep 0.5
        done
        die "the Shopify sandbox does not answer on $SANDBOX_URL: see $STATE/shopify_sandbox.log"
    }
    stop_sandbox() {
        kill "$SANDBOX_PID" 2>/dev/null && wait "$SANDBOX_PID" 2>/dev/null
        SANDBOX_PID=""
    }
    echo "== Shopify sandbox store on $SANDBOX_URL ($SANDBOX_ORDERS orders; state $STATE/shopify_sandbox.json; log $STATE/shopify_sandbox.log)"
    previous_hook=$(cat "$HOOK_FILE" 2>/dev/null)
    start_sandbox
    echo "== Configuring the Shopify backend \"Sandbox Shop\" (mappings, webhooks, first catch-up queued)"
    RETAIL_SANDBOX_URL="$SANDBOX_URL" RETAIL_SANDBOX_TOKEN="$RETAIL_SANDBOX_TOKEN" \
        RETAIL_SANDBOX_SECRET="$RETAIL_SANDBOX_SECRET" RETAIL_HTTP_PORT="$PORT" RETAIL_WEBHOOK_URL_FILE="$HOOK_FILE" \
        "$PYTHON" -m odoo shell -c "$CONF" -d "$DB" --no-http <"$ROOT/scripts/demo_shopify.py" \
        || die "configuring the Shopify demo failed: see $STATE/odoo.log"
    if [ "$(cat "$HOOK_FILE" 2>/dev/null)" != "$previous_hook" ]; then
        stop_sandbox  # it saves its store on the way out
        start_sandbox
    fi
fi

echo "== Odoo with the Retail Connector Suite: http://127.0.0.1:$PORT (login admin / admin); log: $STATE/odoo.log"
[ "$DEMO_SHOPIFY" != 0 ] && echo "   Shopify sandbox: $SANDBOX_URL; orders arrive within a minute; problems: Retail > Exceptions"
# In the background so that the traps above can stop it (and the sandbox) on Ctrl-C.
"$PYTHON" -m odoo server -c "$CONF" -d "$DB" &
ODOO_PID=$!
wait "$ODOO_PID"
status=$?
ODOO_PID=""
exit "$status"
