# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import SUPERUSER_ID, models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        moves._shopify_mark_stock_dirty()
        return moves

    def _shopify_mark_stock_dirty(self):
        """Flag the Shopify variants whose stock moved and schedule one debounced export per backend."""
        products = self.filtered(lambda m: m.state == "done").product_id.filtered("is_storable")
        if not products:
            return
        bindings = (
            self.env["shopify.product.binding"]
            .sudo()
            .search(
                [
                    ("odoo_id", "in", products.ids),
                    ("backend_id.channel", "=", "shopify"),
                    ("backend_id.state", "=", "active"),
                    ("backend_id.shopify_push_stock", "=", True),
                    ("company_id", "in", self.company_id.ids),
                ]
            )
        )
        if not bindings:
            return
        # Every row is written, dirty or not (the ORM skips unchanged values, hence SQL): an export
        # job running meanwhile clears the flags it read, and only a row written here makes
        # PostgreSQL refuse that (the job is retried and sends this move) instead of the move
        # never reaching Shopify (seen in bench/soak.py).
        bindings.flush_recordset(["stock_dirty"])
        self.env.cr.execute(
            "UPDATE shopify_product_binding SET stock_dirty = TRUE WHERE id IN %s", (tuple(bindings.ids),)
        )
        bindings.invalidate_recordset(["stock_dirty"])
        for backend in bindings.backend_id:
            # The export runs as the superuser, like webhook jobs: whoever
            # validated the transfer may have no connector rights.
            backend.with_user(SUPERUSER_ID).with_company(backend.company_id)._schedule_export("stock")
