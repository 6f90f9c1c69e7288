#!/usr/bin/env bash
# The suite's test command (README): throwaway database, clean install and
# upgrade of the four addons (no ERROR, no WARNING from our addons), every
# test through pytest-odoo with the HTTP server on, database dropped after.
set -uo pipefail
source "$(dirname "$0")/common.sh"

check_odoo
check_requirements
check_postgres

DB="retail_test_$(date +%Y%m%d%H%M%S)_$$"
WORK=$(mktemp -d)
CONF="$WORK/odoo.conf"
write_odoo_conf "$CONF" "$DB" "$ROOT/tests/addons"
# The tests perform their jobs themselves (queue_job's trap_jobs): the job runner
# that the test run's HTTP server would otherwise start must not race them.
printf '\n[queue_job]\nchannels = root:0\n' >>"$CONF"
INSTALL="$SUITE_ADDONS,test_retail_connector"

cleanup() {
    "$PYTHON" -m odoo db --config "$CONF" drop "$DB" >/dev/null 2>&1 || dropdb --if-exists "$DB" >/dev/null 2>&1
    rm -rf "$WORK"
}
trap cleanup EXIT

# Fail on any ERROR/CRITICAL, and on WARNINGs that come from or name our addons.
check_log() {  # $1 = step name, $2 = log file
    local bad
    bad=$(grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$2"; grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ WARNING ' "$2" | grep -iE 'retail')
    if [ -n "$bad" ]; then
        echo "FAILED: $1 logged errors or warnings from the suite:" >&2
        echo "$bad" >&2
        return 1
    fi
    echo "$1: clean"
}

echo "== Installing $INSTALL into $DB"
"$PYTHON" -m odoo server -c "$CONF" -d "$DB" -i "$INSTALL" --stop-after-init --log-level=info \
    --logfile "$WORK/install.log" || { tail -50 "$WORK/install.log"; exit 1; }
check_log install "$WORK/install.log" || exit 1

echo "== Upgrading (-u) the suite"
"$PYTHON" -m odoo server -c "$CONF" -d "$DB" -u "$INSTALL" --stop-after-init --log-level=info \
    --logfile "$WORK/upgrade.log" || { tail -50 "$WORK/upgrade.log"; exit 1; }
check_log upgrade "$WORK/upgrade.log" || exit 1

echo "== Running the tests"
cd "$ROOT" || exit 2
"$PYTHON" -m pytest -p no:cacheprovider --odoo-config "$CONF" --odoo-database "$DB" --odoo-http \
    --odoo-log-level=warn "$@" addons tests
status=$?
if [ "$status" -eq 5 ]; then
    echo "FAILED: pytest collected no test" >&2
    exit 1
fi
exit "$status"
