"""What the benchmarks share: a throwaway database, an Odoo server on a free
127.0.0.1 port (or an in-process registry), plain SQL for the final counts.

Not a benchmark itself (the leading underscore keeps it apart).
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg2
import requests

ROOT = Path(__file__).resolve().parent.parent
SUITE = "retail_connector_base,retail_connector_shopify,retail_returns_sync,retail_settlement_recon"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def odoo_conf(path, db, port, workers, extra=""):
    """Write a server configuration for ``db`` only, listening on 127.0.0.1:``port``.

    ``db_name`` without ``dbfilter``, as the README advises for a one-database
    server: with a filter Odoo lists PostgreSQL's databases on every request."""
    import odoo.addons

    addons = [p for p in odoo.addons.__path__ if os.path.isdir(p)]
    addons += [str(ROOT / "addons"), str(ROOT / "tests" / "addons")]
    path.write_text(
        "[options]\n"
        f"addons_path = {','.join(addons)}\n"
        f"db_name = {db}\nhttp_interface = 127.0.0.1\nhttp_port = {port}\n"
        f"workers = {workers}\nmax_cron_threads = 0\nlist_db = False\nlog_level = warn\n{extra}"
    )


def sql(db, query, params=()):
    with psycopg2.connect(dbname=db) as conn, conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall() if cur.description else None


def process_cpu_seconds(pid):
    """CPU time (user + system) a process on this machine has used so far; 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def launcher():
    # The console script, not "-m odoo": with workers, Odoo re-executes argv[0] for its gevent process.
    script = Path(sys.executable).parent / "odoo"
    return [str(script)] if script.exists() else [sys.executable, "-m", "odoo"]


class Throwaway:
    """A database created for one benchmark run and dropped afterwards."""

    def __init__(self, prefix="retail_bench", workers=0, extra_conf=""):
        self.db = f"{prefix}_{os.getpid()}"
        self.port = free_port()
        self.work = Path(tempfile.mkdtemp())
        self.conf = self.work / "odoo.conf"
        self.workers = workers
        odoo_conf(self.conf, self.db, self.port, workers, extra_conf)
        self.server = None
        self.in_process = False

    @property
    def command(self):
        return [*launcher(), "server", "-c", str(self.conf), "-d", self.db]

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def install(self, modules):
        subprocess.run([*self.command, "-i", modules, "--stop-after-init"], check=True)

    def sql(self, query, params=()):
        return sql(self.db, query, params)

    def serve(self, timeout=60):
        """Start the HTTP server (with the configured workers) and wait until it answers."""
        self.server = subprocess.Popen([*self.command, "--logfile", str(self.work / "odoo.log")])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.base_url}/web/health", timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.5)
        raise RuntimeError(f"Odoo did not answer on {self.base_url} (see {self.work / 'odoo.log'})")

    def registry(self):
        """An in-process registry of the database, the way a job runner's worker holds one."""
        import odoo
        from odoo.modules.registry import Registry

        odoo.tools.config.parse_config(["-c", str(self.conf)], setup_logging=True)
        self.in_process = True
        return Registry(self.db)

    def backends_cpu(self):
        """``{pid: CPU seconds}`` of the PostgreSQL backends serving this database now
        (PostgreSQL runs on this machine: its CPU shares the cores with Odoo's)."""
        pids = self.sql("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (self.db,))
        return {pid: process_cpu_seconds(pid) for (pid,) in pids}

    def close(self):
        if self.server:
            self.server.terminate()
            self.server.wait(30)
            self.server = None
        if self.in_process:
            # the database cannot be dropped while this process holds connections to it
            from odoo.modules.registry import Registry
            from odoo.sql_db import close_db

            Registry.delete(self.db)
            close_db(self.db)
        subprocess.run(
            [*launcher(), "db", "--config", str(self.conf), "drop", self.db], check=False, capture_output=True
        )
        subprocess.run(["dropdb", "--if-exists", self.db], check=False, capture_output=True)


@contextmanager
def throwaway(modules, **kwargs):
    """A throwaway database with ``modules`` installed; dropped on the way out."""
    database = Throwaway(**kwargs)
    try:
        database.install(modules)
        yield database
    finally:
        database.close()


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return 0.0
    return sorted_values[max(0, min(len(sorted_values) - 1, int(len(sorted_values) * fraction + 0.999999) - 1))]
