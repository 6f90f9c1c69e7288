# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Batch lookups: answered once inside a batch, afresh outside and after it."""

from types import SimpleNamespace

from odoo.addons.retail_connector_base.lib.memo import batch_memo, memoized, remember


def cursor():
    return SimpleNamespace(cache={})


def counter():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    return calls, compute


def test_outside_a_batch_every_call_computes():
    cr = cursor()
    calls, compute = counter()
    assert [memoized(cr, "sku", compute) for __ in range(3)] == [1, 2, 3]
    remember(cr, "sku", 99)  # ignored: no batch
    assert memoized(cr, "sku", compute) == 4


def test_inside_a_batch_a_key_is_computed_once_and_forgotten_after():
    cr = cursor()
    calls, compute = counter()
    with batch_memo(cr):
        assert [memoized(cr, "sku", compute) for __ in range(3)] == [1, 1, 1]
        with batch_memo(cr):  # a nested batch shares the memo
            assert memoized(cr, "sku", compute) == 1
        assert memoized(cr, "sku", compute) == 1  # the nested block did not end the memo
    assert memoized(cr, "sku", compute) == 2
    assert not cr.cache


def test_answers_given_ahead_are_used_and_the_memo_ends_on_error():
    cr = cursor()
    calls, compute = counter()
    try:
        with batch_memo(cr):
            remember(cr, "sku", "read with the page")
            assert memoized(cr, "sku", compute) == "read with the page"
            raise ValueError("the batch failed")
    except ValueError:
        pass
    assert not calls
    assert not cr.cache
