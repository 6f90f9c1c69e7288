# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Inserts that race on a unique key."""

from contextlib import contextmanager

from odoo.tools import mute_logger


@contextmanager
def racing_insert(cr):
    """Savepoint for an INSERT that a concurrent transaction may have beaten to a
    unique key. The caller catches ``UniqueViolation`` and retries or reuses the
    row; PostgreSQL's error is then expected, so Odoo does not log it as a bad
    query (a busy shop would otherwise fill the log with ERROR lines)."""
    with cr.savepoint(), mute_logger("odoo.sql_db"):
        yield
