# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.retail_connector_base.models.retail_backend import MANAGER_GROUP, WebhookSpec

from ..lib.client import ShopifyClient
from ..lib.versions import DEFAULT_VERSION, SUPPORTED_VERSIONS

SHOPIFY_WEBHOOK_SPEC = WebhookSpec(
    signature_headers=("X-Shopify-Hmac-Sha256",),
    delivery_id_headers=("X-Shopify-Webhook-Id",),
    event_id_headers=("X-Shopify-Event-Id",),
    topic_headers=("X-Shopify-Topic",),
    triggered_at_headers=("X-Shopify-Triggered-At",),
)

#: the topics the connector subscribes to, and the scopes it needs for them
WEBHOOK_TOPICS = (
    "orders/create",
    "orders/updated",
    "orders/cancelled",
    "refunds/create",
    "fulfillments/create",
    "inventory_levels/update",
    "app/uninstalled",
)
REQUIRED_SCOPES = (
    "read_orders",
    "write_orders",
    "read_products",
    "read_inventory",
    "write_inventory",
    "read_locations",
    "read_merchant_managed_fulfillment_orders",
    "write_merchant_managed_fulfillment_orders",
)
FINANCIAL_STATUSES = ("pending", "authorized", "partially_paid", "paid", "partially_refunded", "refunded", "voided")
DEFAULT_IMPORT_STATUSES = "pending,authorized,partially_paid,paid,partially_refunded,refunded"


class RetailBackend(models.Model):
    _inherit = "retail.backend"

    channel = fields.Selection(selection_add=[("shopify", "Shopify")], ondelete={"shopify": "cascade"})

    # Connection
    shopify_shop_domain = fields.Char(string="Shop Domain", help="e.g. my-shop.myshopify.com")
    shopify_api_version = fields.Selection(
        [(version, version) for version in SUPPORTED_VERSIONS],
        string="API Version",
        default=DEFAULT_VERSION,
        help="Shopify Admin API version (quarterly releases).",
    )
    shopify_access_token = fields.Char(string="Admin API Access Token", groups=MANAGER_GROUP, copy=False)
    shopify_api_base_url = fields.Char(
        string="API Base URL Override",
        help="Leave empty to reach Shopify. Set to the local sandbox URL (http://127.0.0.1:PORT) for tests and demos.",
    )
    shopify_shop_name = fields.Char(string="Shop Name", readonly=True, copy=False)
    shopify_shop_currency = fields.Char(string="Shop Currency", readonly=True, copy=False)
    shopify_granted_scopes = fields.Char(string="Granted Scopes", readonly=True, copy=False)
    shopify_missing_scopes = fields.Char(string="Missing Scopes", readonly=True, copy=False)

    # Where orders land
    shopify_warehouse_id = fields.Many2one("stock.warehouse", string="Warehouse", check_company=True)
    shopify_team_id = fields.Many2one("crm.team", string="Sales Team", check_company=True)
    shopify_pricelist_id = fields.Many2one("product.pricelist", string="Pricelist", check_company=True)
    shopify_fiscal_position_id = fields.Many2one(
        "account.fiscal.position", string="Fiscal Position", check_company=True
    )
    shopify_shipping_product_id = fields.Many2one(
        "product.product", string="Shipping Product", help="Product used for the order's shipping lines."
    )

    # Import rules
    shopify_import_from_date = fields.Datetime(
        string="Import Orders From", help="Orders created before this date are never imported."
    )
    shopify_import_financial_statuses = fields.Char(
        string="Financial Statuses to Import",
        default=DEFAULT_IMPORT_STATUSES,
        help="Comma-separated Shopify financial statuses: " + ", ".join(FINANCIAL_STATUSES),
    )
    shopify_import_unfulfilled_only = fields.Boolean(
        string="Only Unfulfilled Orders", help="Skip orders already fulfilled in Shopify when they are first seen."
    )
    shopify_auto_confirm_paid = fields.Boolean(string="Confirm Paid Orders", default=True)
    shopify_hold_risky_orders = fields.Boolean(
        string="Hold Risky Orders",
        default=True,
        help="Orders Shopify flags for investigation or cancellation stay in quotation with an activity.",
    )
    shopify_invoice_policy = fields.Selection(
        [("none", "Do not invoice"), ("draft", "Draft invoice"), ("posted", "Posted invoice")],
        string="Invoice Paid Orders",
        default="posted",
        help="Invoice created when a paid order is imported; payments are reconciled with a posted invoice.",
    )
    shopify_refund_move_state = fields.Selection(
        [("draft", "Draft"), ("posted", "Posted")],
        string="Credit Notes From Shopify Refunds",
        default="draft",
    )
    shopify_push_stock = fields.Boolean(string="Push Stock Levels", default=True)
    shopify_push_fulfillments = fields.Boolean(string="Push Fulfilments", default=True)
    shopify_push_cancellations = fields.Boolean(string="Push Cancellations")
    shopify_push_refunds = fields.Boolean(string="Push Refunds")

    # Mappings
    shopify_location_map_ids = fields.One2many("shopify.location.map", "backend_id", string="Locations")
    shopify_tax_map_ids = fields.One2many("shopify.tax.map", "backend_id", string="Taxes")
    shopify_gateway_map_ids = fields.One2many("shopify.gateway.map", "backend_id", string="Payment Gateways")
    shopify_carrier_map_ids = fields.One2many("shopify.carrier.map", "backend_id", string="Carriers")

    @api.constrains("shopify_import_financial_statuses")
    def _check_shopify_import_financial_statuses(self):
        for backend in self:
            unknown = set(backend._shopify_import_statuses()) - set(FINANCIAL_STATUSES)
            if unknown:
                raise ValidationError(
                    _(
                        "Unknown Shopify financial statuses: %(unknown)s. Use: %(known)s.",
                        unknown=", ".join(sorted(unknown)),
                        known=", ".join(FINANCIAL_STATUSES),
                    )
                )

    @api.constrains("shopify_api_base_url")
    def _check_shopify_api_base_url(self):
        for backend in self.filtered("shopify_api_base_url"):
            if not backend.shopify_api_base_url.startswith(("http://", "https://")):
                raise ValidationError(_("The API base URL must start with http:// or https://."))

    def _shopify_import_statuses(self):
        self.ensure_one()
        return [s.strip() for s in (self.shopify_import_financial_statuses or "").split(",") if s.strip()]

    def _shopify_client(self):
        """A client for this backend's shop (the token is read as superuser: jobs
        run for any user, the token never leaves this object)."""
        self.ensure_one()
        backend = self.sudo()
        if not backend.shopify_access_token or not (backend.shopify_shop_domain or backend.shopify_api_base_url):
            raise UserError(_("Set the shop domain and the Admin API access token of %s first.", self.name))
        return ShopifyClient(
            backend.shopify_shop_domain or "sandbox.myshopify.com",
            backend.shopify_access_token,
            api_version=backend.shopify_api_version or DEFAULT_VERSION,
            base_url=(backend.shopify_api_base_url or "").rstrip("/") or None,
        )

    def _webhook_spec(self):
        if self.channel != "shopify":
            return super()._webhook_spec()
        return SHOPIFY_WEBHOOK_SPEC

    # ------------------------------------------------------------------
    # Actions (backend form)
    # ------------------------------------------------------------------
    def _channel_test_connection(self):
        if self.channel != "shopify":
            return super()._channel_test_connection()
        data = self._shopify_client().execute("shop")
        shop = data.get("shop") or {}
        granted = sorted(
            scope["handle"] for scope in (data.get("currentAppInstallation") or {}).get("accessScopes") or []
        )
        missing = [scope for scope in REQUIRED_SCOPES if scope not in granted]
        self.write(
            {
                "shopify_shop_name": shop.get("name"),
                "shopify_shop_currency": shop.get("currencyCode"),
                "shopify_granted_scopes": ", ".join(granted),
                "shopify_missing_scopes": ", ".join(missing),
            }
        )
        message = _("Shop %(name)s, currency %(currency)s.", name=shop.get("name"), currency=shop.get("currencyCode"))
        if missing:
            message += " " + _(
                "Missing scopes: %s. Grant them in the Shopify app, then test again.", ", ".join(missing)
            )
        return message

    def action_shopify_register_webhooks(self):
        """Create the missing webhook subscriptions and repair those pointing elsewhere."""
        self.ensure_one()
        client = self._shopify_client()
        existing = {}
        for node in client.iter_nodes("webhook_subscriptions", {}, ("webhookSubscriptions",)):
            existing.setdefault(node["topic"], node)
        created = repaired = 0
        for topic in WEBHOOK_TOPICS:
            enum = topic.upper().replace("/", "_")
            current = existing.get(enum)
            if not current:
                client.mutate(
                    "webhook_subscription_create",
                    {"topic": enum, "callbackUrl": self.webhook_url},
                    "webhookSubscriptionCreate",
                )
                created += 1
            elif (current.get("endpoint") or {}).get("callbackUrl") != self.webhook_url:
                client.mutate(
                    "webhook_subscription_update",
                    {"id": current["id"], "callbackUrl": self.webhook_url},
                    "webhookSubscriptionUpdate",
                )
                repaired += 1
        return self._shopify_notification(
            _("Webhooks registered"),
            _("%(created)s created, %(repaired)s repaired.", created=created, repaired=repaired),
        )

    def action_shopify_backfill(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Backfill Orders"),
            "res_model": "shopify.backfill.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_backend_id": self.id},
        }

    def _shopify_notification(self, title, message):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"title": title, "message": message, "type": "success", "sticky": False},
        }
