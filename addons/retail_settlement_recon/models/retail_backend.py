# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models
from odoo.exceptions import UserError

from odoo.addons.retail_connector_base.models.retail_backend import IMPORT_CHANNEL

from ..lib.shopify_payouts import fetch_dispute, fetch_settlements


class RetailBackend(models.Model):
    """Shopify Payments payouts fetched from the shop become settlements."""

    _inherit = "retail.backend"

    def _settlement_shopify_provider(self):
        """The active Shopify Payments provider of this backend (the first one)."""
        self.ensure_one()
        return (
            self.env["retail.settlement.provider"]
            .sudo()
            .search([("backend_id", "=", self.id), ("code", "=", "shopify_payments")], order="id", limit=1)
        )

    def action_shopify_fetch_payouts(self):
        """Button: queue the payout fetch of these Shopify backends."""
        for backend in self:
            if backend.channel != "shopify" or backend.state != "active":
                raise UserError(self.env._("%s is not an active Shopify backend.", backend.name))
            if not backend._settlement_shopify_provider():
                raise UserError(
                    self.env._("Configure a Shopify Payments settlement provider for %s first.", backend.name)
                )
            backend._shopify_enqueue_fetch_payouts()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Payouts queued"),
                "message": self.env._("Shopify Payments payouts are being fetched and matched."),
                "type": "success",
                "sticky": False,
            },
        }

    def _shopify_enqueue_fetch_payouts(self):
        self.ensure_one()
        return self.with_delay(
            channel=IMPORT_CHANNEL,
            description=f"Fetch Shopify Payments payouts of {self.name}",
            identity_key=f"shopify-fetch-payouts-{self.id}",
        )._shopify_fetch_payouts_job()

    @api.model
    def _cron_shopify_fetch_payouts(self):
        """Scheduled action: one fetch job per active Shopify backend with a provider."""
        providers = self.env["retail.settlement.provider"].search(
            [
                ("code", "=", "shopify_payments"),
                ("backend_id.channel", "=", "shopify"),
                ("backend_id.state", "=", "active"),
            ]
        )
        for backend in providers.backend_id:
            backend._shopify_enqueue_fetch_payouts()

    def _shopify_fetch_payouts_job(self):
        """queue_job: import the payouts not imported yet as settlements, then match them.

        Idempotent: a payout already imported for the provider is not fetched again
        (the settlement's external id is the payout id, unique per provider).
        """
        self.ensure_one()
        backend = self.sudo().with_company(self.company_id)
        provider = backend._settlement_shopify_provider()
        if not provider:
            return "skipped: no Shopify Payments provider"
        settlements = backend.env["retail.settlement"]
        with backend.env["retail.sync.log"]._track(backend, "import", "shopify_payout") as run:
            client = backend._shopify_client()
            known = settlements.search([("provider_id", "=", provider.id)]).mapped("external_id")
            parsed = fetch_settlements(client, known)
            created = settlements._import_parsed(provider, parsed)
            created.action_match()
            matched = created.filtered(lambda s: s.state == "matched")
            # disputes booked by earlier payouts and still open: has Shopify decided?
            closed = (
                backend.env["retail.settlement.line"]
                ._open_disputes(provider, exclude_settlements=created)
                ._refresh_disputes(lambda ref: fetch_dispute(client, ref))
            )
            run.message = f"{len(created)} payout(s) imported, {len(matched)} fully matched"
            if closed:
                run.message += f", {len(set(closed.mapped('dispute_ref')))} dispute(s) closed"
        return run.result
