# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Which returned line a Shopify exchange item replaces (plain Python)."""

import unittest

from odoo.addons.retail_returns_sync.models.shopify_return import pair_exchanges


class TestPairExchanges(unittest.TestCase):
    def test_in_order(self):
        self.assertEqual(pair_exchanges([1, 1], [1, 1]), ({0: 0, 1: 1}, []))

    def test_same_quantity_first(self):
        # 2 of the first line, 1 of the second: the single replacement goes with the single item
        self.assertEqual(pair_exchanges([2, 1], [1, 2]), ({0: 1, 1: 0}, []))

    def test_other_quantity_takes_the_next_free_line(self):
        self.assertEqual(pair_exchanges([3, 1], [2]), ({0: 0}, []))

    def test_more_replacements_than_lines_are_left_over(self):
        self.assertEqual(pair_exchanges([1], [1, 3]), ({0: 0}, [1]))

    def test_none(self):
        self.assertEqual(pair_exchanges([1, 2], []), ({}, []))
