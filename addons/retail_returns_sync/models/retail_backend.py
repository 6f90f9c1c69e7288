# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

#: Shopify returns webhooks; each one triggers a read of the return's current state
SHOPIFY_RETURN_TOPICS = (
    "returns/request",
    "returns/approve",
    "returns/decline",
    "returns/cancel",
    "returns/close",
    "returns/reopen",
)


class RetailBackend(models.Model):
    _inherit = "retail.backend"

    shopify_request_exchange_payment = fields.Boolean(
        string="Email Exchange Balances",
        help="Once an exchange whose difference the customer owes is processed in Shopify, have Shopify "
        "email the customer its invoice (a payment link), provided Shopify's balance due equals the Odoo "
        "exchange invoice. Otherwise an exception is opened and nothing is sent. Accountants can always "
        "send it from the return (Request Payment).",
    )

    def _shopify_webhook_topics(self):
        return [*super()._shopify_webhook_topics(), *SHOPIFY_RETURN_TOPICS]

    def _process_webhook_event(self, event):
        if self.channel == "shopify" and event.topic in SHOPIFY_RETURN_TOPICS:
            return self.env["retail.return.binding"]._shopify_import_return_webhook(self, event)
        return super()._process_webhook_event(event)

    def _channel_catch_up_entities(self):
        entities = super()._channel_catch_up_entities()
        if self.channel == "shopify":
            # after orders: a return needs its order (and the order's lines) imported
            entities = [*entities, "returns"]
        return entities

    def _channel_catch_up(self, entity, since, cursor=None):
        if self.channel == "shopify" and entity == "returns":
            return self.env["retail.return.binding"]._shopify_catch_up_returns(self, since, cursor)
        return super()._channel_catch_up(entity, since, cursor=cursor)
