# Shared by scripts/test.sh and scripts/run.sh: prerequisites and Odoo settings.
# shellcheck shell=bash
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-python3}
SUITE_ADDONS="retail_connector_base,retail_connector_shopify,retail_returns_sync,retail_settlement_recon"

die() {
    echo "ERROR: $*" >&2
    exit 2
}

check_odoo() {
    "$PYTHON" - 2>/dev/null <<'PY' || die "Odoo 19.0 is not importable by $PYTHON. Install Odoo 19.0 Community from source (see README, Prerequisites) or set PYTHON to an interpreter that can 'import odoo'."
import odoo.release
assert odoo.release.version_info[:2] == (19, 0), odoo.release.version
PY
}

check_requirements() {
    "$PYTHON" - <<'PY' 2>/dev/null && return 0
import importlib.util, sys
missing = [m for m in ("odoo.addons.queue_job", "pytest_odoo", "freezegun", "graphql", "requests", "hypothesis", "websocket") if importlib.util.find_spec(m) is None]
sys.exit(1 if missing else 0)
PY
    echo "Installing the suite's Python requirements (requirements.txt)..."
    "$PYTHON" -m pip install --quiet -r "$ROOT/requirements.txt" || die "pip could not install requirements.txt"
}

check_postgres() {
    "$PYTHON" - <<'PY' || die "PostgreSQL is unreachable or unusable. Set PGHOST/PGPORT/PGUSER/PGPASSWORD (the role must be allowed to create databases and must not be 'postgres', which Odoo refuses)."
import getpass, os, sys
import psycopg2
try:
    conn = psycopg2.connect(dbname=os.environ.get("PGDATABASE", "postgres"), connect_timeout=5)
except psycopg2.OperationalError as exc:
    print(exc, file=sys.stderr)
    sys.exit(1)
cur = conn.cursor()
cur.execute("SELECT current_user, rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user")
user, can_create = cur.fetchone()
if user == "postgres":
    print("Odoo refuses to connect as the 'postgres' role: set PGUSER to another role.", file=sys.stderr)
    sys.exit(1)
if not can_create:
    print(f"Role {user} cannot create databases.", file=sys.stderr)
    sys.exit(1)
PY
}

# Odoo's own addons folders (core and pip-installed ones such as queue_job).
odoo_addons_path() {
    "$PYTHON" -c "import odoo.addons, os; print(','.join(p for p in odoo.addons.__path__ if os.path.isdir(p)))"
}

write_odoo_conf() {  # $1 = file, $2 = database, $3 = extra addons folders (comma separated, may be empty)
    local extra=${3:+,$3}
    # db_name without dbfilter: Odoo then serves that database without listing
    # PostgreSQL's databases on every request (a connection and a query each).
    cat >"$1" <<CONF
[options]
addons_path = $(odoo_addons_path),$ROOT/addons$extra
db_name = $2
http_interface = 127.0.0.1
list_db = False
max_cron_threads = 0
CONF
}
