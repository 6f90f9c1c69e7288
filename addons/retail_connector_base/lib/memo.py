# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Lookups made once per batch.

An importer that creates a page of records asks the same questions for each
(which product has this SKU, which country has this code): Odoo answers every
``search`` from the database. Inside :func:`batch_memo` the answers are kept
for the rest of the batch; outside it every call computes afresh, so code that
runs alone (a webhook) is unchanged. The memo lives on the cursor and ends with
the ``with`` block: open it inside the batch's savepoint, so that an answer
about a record the batch created never outlives a rollback.
"""

from contextlib import contextmanager

_KEY = "retail_connector_base.batch_memo"


@contextmanager
def batch_memo(cr):
    """Keep the answers of :func:`memoized` until the block ends (nested blocks share one memo)."""
    if _KEY in cr.cache:
        yield
        return
    cr.cache[_KEY] = {}
    try:
        yield
    finally:
        cr.cache.pop(_KEY, None)


def memoized(cr, key, compute):
    """``compute()``, or its answer for ``key`` already given in this batch."""
    memo = cr.cache.get(_KEY)
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def remember(cr, key, value):
    """Give ``key``'s answer ahead (a batch read many at once); ignored outside a batch."""
    memo = cr.cache.get(_KEY)
    if memo is not None:
        memo[key] = value
