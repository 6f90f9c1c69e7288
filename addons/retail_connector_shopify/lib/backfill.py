# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Backfill timing and search rules (plain Python).

A backfill is three kinds of jobs, none waiting in-process: start
(``bulkOperationRunQuery``) -> poll (a new job per attempt, later and later,
until Shopify says the operation finished) -> import (the result file's orders
in chunks of the backend's *Records per Catch-up Job*; each order in its own
tracked run so a bad one is reported and the others are imported).
"""

#: seconds between two status checks of a running bulk operation, by attempt
POLL_DELAYS = (3, 5, 10, 20, 30, 60)
#: a bulk operation still running after this many checks (~12 h) is reported
MAX_POLL_ATTEMPTS = 720
#: Shopify runs one bulk query per shop and app at a time: wait for the other one
BUSY_RETRY_SECONDS = 60
BUSY_MAX_RETRIES = 60
#: statuses of an operation that will still change
RUNNING_STATUSES = ("CREATED", "RUNNING", "CANCELING")


def backfill_search_query(date_from, date_to):
    """Shopify search syntax for orders created in [date_from, date_to] (naive UTC)."""
    return (
        f"created_at:>='{date_from.strftime('%Y-%m-%dT%H:%M:%SZ')}'"
        f" AND created_at:<='{date_to.strftime('%Y-%m-%dT%H:%M:%SZ')}'"
    )


def poll_delay(attempt):
    return POLL_DELAYS[min(max(attempt, 1), len(POLL_DELAYS)) - 1]
