# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from datetime import timedelta

import psycopg2

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.retail_connector_base.lib.digest import advisory_lock_key
from odoo.addons.retail_connector_base.lib.retry import ChannelError, PermanentError, UserInputError
from odoo.addons.retail_connector_base.models.retail_backend import (
    EXPORT_CHANNEL,
    IMPORT_CHANNEL,
    MANAGER_GROUP,
    WebhookSpec,
)

from ..lib import auth, bulk, documents, normalize
from ..lib.backfill import (
    BUSY_MAX_RETRIES,
    BUSY_RETRY_SECONDS,
    MAX_POLL_ATTEMPTS,
    RUNNING_STATUSES,
    backfill_search_query,
    poll_delay,
)
from ..lib.client import ShopifyClient
from ..lib.versions import DEFAULT_VERSION, SUPPORTED_VERSIONS
from .shopify_app_token import credentials_key

_logger = logging.getLogger(__name__)

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
    "orders/delete",
    "refunds/create",
    "fulfillments/create",
    "fulfillments/update",
    "fulfillment_orders/moved",
    "fulfillment_orders/placed_on_hold",
    "fulfillment_orders/hold_released",
    "fulfillment_orders/order_routing_complete",
    "customers/update",
    "inventory_levels/update",
    "products/create",
    "products/update",
    "products/delete",
    "app/uninstalled",
)
REQUIRED_SCOPES = (
    "read_orders",
    "write_orders",
    "read_customers",
    "read_products",
    "read_inventory",
    "write_inventory",
    "read_locations",
    "read_merchant_managed_fulfillment_orders",
    "write_merchant_managed_fulfillment_orders",
    "read_returns",
    "write_returns",
)
#: Shopify's mandatory compliance topics: set in the app's configuration (not
#: subscribable through the API), processed even while the backend is paused
PRIVACY_TOPICS = ("customers/data_request", "customers/redact", "shop/redact")
FINANCIAL_STATUSES = ("pending", "authorized", "partially_paid", "paid", "partially_refunded", "refunded", "voided")
DEFAULT_IMPORT_STATUSES = "pending,authorized,partially_paid,paid,partially_refunded,refunded"
ORDER_TOPICS = ("orders/create", "orders/updated", "orders/cancelled")
FULFILLMENT_ORDER_TOPICS = (
    "fulfillment_orders/moved",
    "fulfillment_orders/placed_on_hold",
    "fulfillment_orders/hold_released",
    "fulfillment_orders/order_routing_complete",
)


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
    shopify_access_token = fields.Char(
        string="Admin API Access Token",
        groups=MANAGER_GROUP,
        copy=False,
        help="The token of an app made in the shop's admin (before 2026; it does not expire). With a Dev "
        "Dashboard app, leave it to the connector: it is obtained with the client credentials and renewed.",
    )
    shopify_client_id = fields.Char(
        string="Client ID",
        groups=MANAGER_GROUP,
        copy=False,
        help="Of the app made in Shopify's Dev Dashboard: with its client secret, the connector obtains "
        "the Admin API access token (valid 24 hours) and renews it.",
    )
    shopify_client_secret = fields.Char(
        string="Client Secret",
        groups=MANAGER_GROUP,
        copy=False,
        help="Of the Dev Dashboard app. Shopify also signs the app's webhooks with it: it is the webhook "
        "secret too, unless one is set.",
    )
    shopify_token_expires_at = fields.Datetime(
        string="Token Expires",
        compute="_compute_shopify_token_expires_at",
        groups=MANAGER_GROUP,
        help="When the access token obtained with the client credentials expires (it is renewed before).",
    )
    shopify_api_base_url = fields.Char(
        string="API Base URL Override",
        help="Leave empty to reach Shopify. Set to the local sandbox URL (http://127.0.0.1:PORT) for tests and demos.",
    )
    shopify_shop_name = fields.Char(string="Shop Name", readonly=True, copy=False)
    shopify_shop_currency = fields.Char(string="Shop Currency", readonly=True, copy=False)
    shopify_granted_scopes = fields.Char(string="Granted Scopes", readonly=True, copy=False)
    shopify_missing_scopes = fields.Char(string="Missing Scopes", readonly=True, copy=False)
    shopify_webhooks_checked_at = fields.Datetime(
        string="Webhooks Checked",
        readonly=True,
        copy=False,
        help="When the webhook subscriptions were last checked (hourly) or registered.",
    )

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
    shopify_notify_customer_on_fulfillment = fields.Boolean(
        string="Notify Customers of Shipments",
        default=True,
        help="Shopify emails the customer when a delivery validated in Odoo is sent as a fulfilment.",
    )
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

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("shopify_client_secret") and not vals.get("webhook_secret"):
                vals["webhook_secret"] = vals["shopify_client_secret"]
        return super().create(vals_list)

    def write(self, vals):
        # (another app or shop gets a token of its own: see _shopify_credentials_key)
        if vals.get("shopify_client_secret"):
            old_secrets = set(self.sudo().mapped("shopify_client_secret"))
            if "webhook_secret" not in vals and all(
                not backend.webhook_secret or backend.webhook_secret in old_secrets for backend in self.sudo()
            ):
                vals["webhook_secret"] = vals["shopify_client_secret"]
        return super().write(vals)

    def _shopify_client(self):
        """A client for this backend's shop (the token is read as superuser: jobs
        run for any user, the token never leaves this object)."""
        self.ensure_one()
        backend = self.sudo()
        has_credentials = backend.shopify_access_token or (backend.shopify_client_id and backend.shopify_client_secret)
        if not has_credentials or not (backend.shopify_shop_domain or backend.shopify_api_base_url):
            raise UserError(
                _(
                    "Set the shop domain of %s and either the client ID and secret of its Dev Dashboard app "
                    "or the Admin API access token first.",
                    self.name,
                )
            )
        return ShopifyClient(
            backend.shopify_shop_domain or "sandbox.myshopify.com",
            backend._shopify_access_token(),
            api_version=backend.shopify_api_version or DEFAULT_VERSION,
            base_url=(backend.shopify_api_base_url or "").rstrip("/") or None,
        )

    # ------------------------------------------------------------------
    # Access tokens of Dev Dashboard apps (client credentials)
    # ------------------------------------------------------------------
    def _shopify_credentials_key(self):
        return credentials_key(
            self.shopify_shop_domain, self.shopify_api_base_url, self.shopify_client_id, self.shopify_client_secret
        )

    @api.depends("shopify_client_id", "shopify_client_secret", "shopify_shop_domain", "shopify_api_base_url")
    def _compute_shopify_token_expires_at(self):
        tokens = self.env["shopify.app.token"].sudo()
        for backend in self:
            __, expires_at, key = tokens._read_row(self.env.cr, backend.id) if backend.id else (None, None, None)
            current = backend.sudo().shopify_client_id and key == backend.sudo()._shopify_credentials_key()
            backend.shopify_token_expires_at = expires_at if current else False

    def _shopify_access_token(self):
        """The Admin API token: the stored one of an app made in the shop admin, or,
        for a Dev Dashboard app, one obtained with its client credentials for this shop
        and app, renewed a few minutes before it expires."""
        self.ensure_one()
        backend = self.sudo()
        if not backend.shopify_client_id:
            return backend.shopify_access_token
        token, expires_at, key = self.env["shopify.app.token"].sudo()._read_row(self.env.cr, self.id)
        fresh = auth.token_is_fresh(expires_at, fields.Datetime.now())
        if token and fresh and key == backend._shopify_credentials_key():
            return token
        return backend._shopify_renew_token()

    def _shopify_renew_token(self):
        """Obtain a token and store it in a transaction of its own, so that every job
        uses it at once and a job rolled back does not lose it; one worker at a time
        renews (the others then read its token). When that transaction cannot take the
        lock in time, the token is stored with this transaction."""
        self.ensure_one()
        tokens = self.env["shopify.app.token"].sudo()
        key = self._shopify_credentials_key()
        try:
            with self.env.registry.cursor() as cr:
                cr.execute("SET LOCAL lock_timeout = '5s'")
                cr.execute("SELECT pg_advisory_xact_lock(%s)", (advisory_lock_key(self._name, self.id, "token"),))
                cr.execute("SELECT 1 FROM retail_backend WHERE id = %s", (self.id,))
                if cr.rowcount:  # else created by this transaction, not committed yet
                    token, expires_at, stored_key = tokens._read_row(cr, self.id)
                    if not (token and stored_key == key and auth.token_is_fresh(expires_at, fields.Datetime.now())):
                        token, expires_at = self._shopify_request_token()
                        tokens._store_row(cr, self.id, token, expires_at, key)
                    return token
        except psycopg2.errors.LockNotAvailable:
            _logger.info("Another worker holds the token lock of backend %s: renewing in this transaction.", self.id)
        token, expires_at = self._shopify_request_token()
        tokens._store_row(self.env.cr, self.id, token, expires_at, key)
        return token

    def _shopify_request_token(self):
        result = auth.request_token(
            self.shopify_shop_domain or "sandbox.myshopify.com",
            self.shopify_client_id,
            self.shopify_client_secret,
            base_url=(self.shopify_api_base_url or "").rstrip("/") or None,
        )
        expires_at = fields.Datetime.now() + timedelta(seconds=result["expires_in"]) if result["expires_in"] else False
        return result["access_token"], expires_at

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
        try:
            data = self._shopify_client().execute("shop")
        except ChannelError as error:
            if error.status in (401, 403):
                raise UserError(
                    _(
                        "Shopify refused the access token of %(name)s (HTTP %(status)s): check the token and "
                        "that the app is still installed on %(shop)s.",
                        name=self.name,
                        status=error.status,
                        shop=self.shopify_shop_domain or self.shopify_api_base_url,
                    )
                ) from None
            raise UserError(
                _("Shopify could not be reached for %(name)s: %(error)s", name=self.name, error=error)
            ) from None
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
        if self.company_id.tax_calculation_rounding_method != "round_per_line":
            message += " " + _(
                "Set the tax rounding of %s to 'Round per Line': Shopify rounds per line, and orders "
                "whose totals differ by a cent are held.",
                self.company_id.name,
            )
        return message

    def action_shopify_register_webhooks(self):
        """Create the missing webhook subscriptions and repair those pointing elsewhere."""
        self.ensure_one()
        created, repaired = self._shopify_sync_webhooks()
        return self._shopify_notification(
            _("Webhooks registered"),
            _("%(created)s created, %(repaired)s repaired.", created=len(created), repaired=len(repaired)),
        )

    def _shopify_sync_webhooks(self):
        """Make Shopify's subscriptions those the connector needs, to this database's
        webhook URL; returns the topics ``(created, repaired)``."""
        self.ensure_one()
        client = self._shopify_client()
        existing = {}
        for node in client.iter_nodes("webhook_subscriptions", {}, ("webhookSubscriptions",)):
            existing.setdefault(node["topic"], node)
        created, repaired = [], []
        for topic in self._shopify_webhook_topics():
            enum = topic.upper().replace("/", "_")
            current = existing.get(enum)
            if not current:
                client.mutate(
                    "webhook_subscription_create",
                    {"topic": enum, "callbackUrl": self.webhook_url},
                    "webhookSubscriptionCreate",
                )
                created.append(topic)
            elif (current.get("endpoint") or {}).get("callbackUrl") != self.webhook_url:
                client.mutate(
                    "webhook_subscription_update",
                    {"id": current["id"], "callbackUrl": self.webhook_url},
                    "webhookSubscriptionUpdate",
                )
                repaired.append(topic)
        self.shopify_webhooks_checked_at = fields.Datetime.now()
        return created, repaired

    @api.model
    def _cron_shopify_webhook_health(self):
        """Scheduled action: one webhook check job per active Shopify backend."""
        self._shopify_job_per_backend("_shopify_webhook_health_job", "Check the webhook subscriptions of")

    @api.model
    def _shopify_job_per_backend(self, method, description):
        """Queue ``method`` once per active Shopify backend (export channel; a job still
        pending for a backend is not queued twice)."""
        for backend in self.search([("channel", "=", "shopify"), ("state", "=", "active")]):
            delayed = backend.with_delay(
                channel=EXPORT_CHANNEL,
                description=f"{description} {backend.name}",
                identity_key=f"shopify-{method}-{backend.id}",
            )
            getattr(delayed, method)()

    def _shopify_webhook_health_job(self):
        """queue_job: re-create the subscriptions Shopify dropped (it deletes those whose
        deliveries keep failing) or that point elsewhere; an exception says which."""
        self.ensure_one()
        with self.env["retail.sync.log"]._track(self, "export", "webhook_subscriptions") as run:
            created, repaired = self._shopify_sync_webhooks()
            if not (created or repaired):
                run.skip("every subscription is in place")
                return run.result
            topics = ", ".join(created + repaired)
            run.message = f"re-created {len(created)}, repaired {len(repaired)}: {topics}"
            self.env["retail.exception"]._report(
                "shopify_webhooks_repaired",
                key="shopify_webhooks_repaired",
                backend=self,
                message=_(
                    "Shopify had no subscription to this database for %(topics)s (missing: %(missing)s, "
                    "pointing elsewhere: %(moved)s): they are set again. What happened meanwhile is "
                    "brought in by the catch-up.",
                    topics=topics,
                    missing=len(created),
                    moved=len(repaired),
                ),
            )
        return run.result

    def _shopify_webhook_topics(self):
        """The topics to subscribe to; modules handling more topics extend it."""
        return list(WEBHOOK_TOPICS)

    def action_shopify_import_now(self):
        self.ensure_one()
        self._enqueue_catch_up()
        return self._shopify_notification(_("Import queued"), _("Products and orders are being imported."))

    def action_shopify_push_stock(self):
        """Send every bound variant's quantity now, changed or not."""
        self.ensure_one()
        if self.state != "active":
            raise UserError(_("Activate %s before pushing stock.", self.name))
        self.with_delay(
            channel=EXPORT_CHANNEL,
            description=f"Push all stock levels to {self.name}",
            identity_key=f"shopify-push-stock-{self.id}",
        )._shopify_push_stock_job()
        return self._shopify_notification(_("Stock push queued"), _("Stock levels are being sent to Shopify."))

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

    # ------------------------------------------------------------------
    # Channel hooks
    # ------------------------------------------------------------------
    def _channel_catch_up_entities(self):
        if self.channel != "shopify":
            return super()._channel_catch_up_entities()
        # products first: orders need their SKUs bound
        return ["products", "orders"]

    def _channel_catch_up(self, entity, since, cursor=None):
        if self.channel != "shopify":
            return super()._channel_catch_up(entity, since, cursor=cursor)
        if entity == "products":
            return self.env["shopify.product.binding"]._catch_up_products(self, since, cursor)
        if entity == "orders":
            return self.env["shopify.order.binding"]._catch_up_orders(self, since, cursor)
        return super()._channel_catch_up(entity, since, cursor=cursor)

    def _channel_pending_exports(self):
        pending = super()._channel_pending_exports()
        if (
            self.channel == "shopify"
            and self.shopify_push_stock
            and self.env["shopify.product.binding"].search_count(
                [("backend_id", "=", self.id), ("stock_dirty", "=", True)], limit=1
            )
        ):
            pending.append("stock")
        return pending

    def _channel_export(self, entity):
        if self.channel != "shopify" or entity != "stock":
            return super()._channel_export(entity)
        if not self.shopify_push_stock:
            return "stock push is disabled on this backend"
        return self.env["shopify.stock.level"]._export_stock(self)

    def _process_webhook_event(self, event):
        if self.channel != "shopify":
            return super()._process_webhook_event(event)
        topic = event.topic
        if topic in ORDER_TOPICS:
            return self.env["shopify.order.binding"]._import_order_webhook(self, event)
        if topic == "orders/delete":
            return self.env["shopify.order.binding"]._delete_order_webhook(self, event)
        if topic == "refunds/create":
            return self.env["shopify.refund.binding"]._import_refund_webhook(self, event)
        if topic == "fulfillments/create":
            return self.env["shopify.fulfillment.binding"]._import_fulfillment_webhook(self, event)
        if topic == "customers/update":
            return self.env["shopify.customer.binding"]._update_customer_webhook(self, event)
        if topic == "fulfillments/update":
            return self.env["shopify.fulfillment.binding"]._update_fulfillment_webhook(self, event)
        if topic in FULFILLMENT_ORDER_TOPICS:
            return self.env["shopify.order.binding"]._fulfillment_order_webhook(self, event)
        if topic in ("products/create", "products/update"):
            return self.env["shopify.product.binding"]._import_product_webhook(self, event)
        if topic == "products/delete":
            return self.env["shopify.product.binding"]._delete_product_webhook(self, event)
        if topic == "inventory_levels/update":
            return self.env["shopify.stock.level"]._apply_inventory_webhook(self, event)
        if topic == "app/uninstalled":
            return self._shopify_app_uninstalled(event)
        if topic == "customers/data_request":
            return self.env["shopify.customer.binding"]._customer_data_request_webhook(self, event)
        if topic == "customers/redact":
            return self.env["shopify.customer.binding"]._customer_redact_webhook(self, event)
        if topic == "shop/redact":
            return self._shopify_shop_redact(event)
        raise PermanentError(f"Shopify webhook topic {topic!r} is not handled by the connector")

    def _webhook_topics_processed_when_paused(self):
        topics = super()._webhook_topics_processed_when_paused()
        return topics | frozenset(PRIVACY_TOPICS) if self.channel == "shopify" else topics

    def _shopify_events_about(self, customer_id, order_ids):
        """This backend's webhook events that carry the customer's data: their
        customer record, their orders and what hangs off them (refunds, fulfilments, returns)."""
        order_ids = [order_id for order_id in order_ids if order_id]
        self.env["retail.webhook.event"].flush_model(["payload"])
        self.env.cr.execute(
            SQL(
                """SELECT id FROM retail_webhook_event
                    WHERE backend_id = %(backend)s
                      AND jsonb_typeof(payload) = 'object'
                      AND ((payload -> 'customer' ->> 'id') = %(customer)s
                           OR (topic LIKE 'customers/%%' AND payload ->> 'id' = %(customer)s)
                           OR (topic LIKE 'orders/%%' AND payload ->> 'id' = ANY(%(orders)s))
                           OR payload ->> 'order_id' = ANY(%(orders)s))""",
                backend=self.id,
                customer=customer_id or "",
                orders=order_ids,
            )
        )
        return self.env["retail.webhook.event"].sudo().browse(row[0] for row in self.env.cr.fetchall())

    def _shopify_shop_redact(self, event):
        """shop/redact, 48 hours after the app was uninstalled: erase what the connector
        keeps of the shop (webhook payloads, access tokens) and pause the backend. The
        orders, invoices and contacts are the retailer's books and stay."""
        request = self.env["shopify.customer.binding"]._privacy_request(self, event)
        events = self.env["retail.webhook.event"].sudo().search([("backend_id", "=", self.id)])
        erased = events._redact()
        self.env["shopify.app.token"].sudo().search([("backend_id", "=", self.id)]).unlink()
        self.sudo().write({"shopify_access_token": False})
        if self.state == "active":
            self.action_pause()
        self.env["retail.exception"]._report(
            "shopify_shop_redact",
            key="shopify_shop_redact",
            backend=self,
            origin=event,
            message=_(
                "Shopify asked to erase the data of %(shop)s (the app was uninstalled 48 hours ago): "
                "%(count)s webhook payloads and the access token were erased; orders, invoices and "
                "contacts stay in Odoo.",
                shop=request["shop_domain"] or self.shopify_shop_domain or "-",
                count=erased,
            ),
        )
        return f"{erased} webhook payloads erased"

    def _shopify_app_uninstalled(self, event):
        """The shop removed the app: the token is dead, stop every job until someone reinstalls it."""
        self.action_pause()
        self.env["retail.exception"]._report(
            "shopify_app_uninstalled",
            key="shopify_app_uninstalled",
            backend=self,
            message=_(
                "Shopify reports that the app was uninstalled from %(shop)s: backend %(name)s is paused.",
                shop=self.shopify_shop_domain or "-",
                name=self.name,
            ),
            payload=event.payload,
        )
        return "paused"

    # ------------------------------------------------------------------
    # Stock jobs
    # ------------------------------------------------------------------
    def _shopify_push_stock_job(self):
        """queue_job: push every bound variant (forced: unchanged ones too)."""
        self.ensure_one()
        with self.env["retail.sync.log"]._track(self, "export", "stock") as run:
            run.message = self.env["shopify.stock.level"]._export_stock(self, force=True)
        return run.result

    @api.model
    def _cron_shopify_stock_reconcile(self):
        """Scheduled action: one reconcile job per active Shopify backend."""
        self._shopify_job_per_backend("_shopify_stock_reconcile_job", "Reconcile stock levels of")

    def _shopify_stock_reconcile_job(self):
        """queue_job: compare Shopify's levels with Odoo, report and repair the drift."""
        self.ensure_one()
        with self.env["retail.sync.log"]._track(self, "export", "stock_reconcile") as run:
            run.message = self.env["shopify.stock.level"]._reconcile(self)
        return run.result

    # ------------------------------------------------------------------
    # Fulfilment jobs
    # ------------------------------------------------------------------
    def _shopify_export_fulfillment_job(self, picking):
        """queue_job entry point: send one validated delivery to Shopify."""
        self.ensure_one()
        # Run with the connector's rights whoever validated the delivery.
        backend = self.sudo().with_company(self.company_id)
        return backend.env["shopify.fulfillment.binding"]._export_fulfillment(backend, picking.with_env(backend.env))

    # ------------------------------------------------------------------
    # Backfill jobs (see lib/backfill.py)
    # ------------------------------------------------------------------

    def _shopify_enqueue_backfill(self, date_from, date_to):
        self.ensure_one()
        stamp = f"{fields.Datetime.to_string(date_from)}-{fields.Datetime.to_string(date_to)}"
        # Like the scheduled catch-up, the jobs import with the connector's rights in
        # the backend's company, whoever asked (its follow-up jobs inherit this).
        backend = self.with_user(SUPERUSER_ID).with_company(self.company_id)
        return backend.with_delay(
            channel=IMPORT_CHANNEL,
            description=f"Start Shopify backfill of {self.name} ({stamp})",
            identity_key=f"shopify-backfill-start-{self.id}-{stamp}",
            max_retries=BUSY_MAX_RETRIES,
        )._shopify_backfill_start_job(date_from, date_to)

    def _shopify_enqueue_backfill_poll(self, operation_id, attempt):
        self.ensure_one()
        legacy = normalize.legacy_id(operation_id)
        return self.with_delay(
            channel=IMPORT_CHANNEL,
            eta=poll_delay(attempt),
            description=f"Check Shopify bulk operation {legacy} of {self.name} (#{attempt})",
            identity_key=f"shopify-backfill-poll-{self.id}-{legacy}-{attempt}",
        )._shopify_backfill_poll_job(operation_id, attempt)

    # ------------------------------------------------------------------
    # Jobs
    # ------------------------------------------------------------------
    def _shopify_backfill_start_job(self, date_from, date_to):
        """Start the bulk query and queue its first status check."""
        self.ensure_one()
        query = bulk.with_query_filter(documents.load("bulk_orders"), backfill_search_query(date_from, date_to))
        period = f"{fields.Datetime.to_string(date_from)}..{fields.Datetime.to_string(date_to)}"
        with self.env["retail.sync.log"]._track(self, "import", "orders_backfill", external_id=period) as run:
            try:
                operation_id = bulk.start(self._shopify_client(), query)
            except UserInputError as error:
                if "already in progress" not in str(error).lower():
                    raise
                raise RetryableJobError(str(error), seconds=BUSY_RETRY_SECONDS) from error
            self._shopify_enqueue_backfill_poll(operation_id, 1)
            run.message = f"bulk operation {normalize.legacy_id(operation_id)} started for orders created {period}"
        return run.message or run.result

    def _shopify_backfill_poll_job(self, operation_id, attempt=1):
        """Check the bulk operation: ask again later, or queue the import of its result."""
        self.ensure_one()
        legacy = normalize.legacy_id(operation_id)
        with self.env["retail.sync.log"]._track(self, "import", "orders_backfill", external_id=legacy) as run:
            status = bulk.status(self._shopify_client(), operation_id)
            state = (status.get("status") or "").upper()
            if state in RUNNING_STATUSES:
                if attempt >= MAX_POLL_ATTEMPTS:
                    raise PermanentError(
                        f"Shopify bulk operation {legacy} is still {state.lower()} after {attempt} checks"
                    )
                self._shopify_enqueue_backfill_poll(operation_id, attempt + 1)
                run.message = (
                    f"bulk operation {legacy} {state.lower()} ({status.get('objectCount') or 0} objects so far), "
                    f"next check in {poll_delay(attempt + 1)} s"
                )
            elif state == "COMPLETED":
                count, jobs = self._shopify_backfill_queue_imports(operation_id, status.get("url"))
                run.message = f"bulk operation {legacy} completed: {count} orders queued in {jobs} import jobs"
                self.message_post(body=_("Shopify backfill: %(count)s orders queued for import.", count=count))
            else:
                raise PermanentError(
                    f"Shopify bulk operation {legacy} ended {state.lower() or 'without status'}"
                    + (f" ({status['errorCode']})" if status.get("errorCode") else "")
                    + "; start the backfill again"
                )
        return run.message or run.result

    def _shopify_backfill_queue_imports(self, operation_id, url):
        """Download the result file and queue its orders in chunks of *Records per
        Catch-up Job* (all in one job when 0); returns (orders, jobs)."""
        if not url:  # Shopify gives no file when nothing matched
            return 0, 0
        client = self._shopify_client()
        nodes = bulk.rebuild(bulk.read_jsonl(getattr(client, "session", None), url))
        legacy = normalize.legacy_id(operation_id)
        jobs = 0
        size = self.catch_up_batch_size or len(nodes)
        for start in range(0, len(nodes), size):
            chunk = nodes[start : start + size]
            jobs += 1
            self.with_delay(
                channel=IMPORT_CHANNEL,
                description=f"Import backfilled Shopify orders of {self.name} ({start + 1}-{start + len(chunk)})",
                identity_key=f"shopify-backfill-import-{self.id}-{legacy}-{start}",
            )._shopify_backfill_import_job(chunk)
        return len(nodes), jobs

    def _shopify_backfill_import_job(self, nodes):
        """Import a chunk of bulk order nodes; each order is its own all-or-nothing run
        (the order importer tracks it), so a bad order is reported and the others go in."""
        self.ensure_one()
        log = self.env["retail.sync.log"]
        orders = self.env["shopify.order.binding"]
        client = self._shopify_client()
        imported = not_imported = 0
        deferred = []  # the chunk's accounting is booked at once, after its orders
        with client.prefetching():
            orders._prefetch_reads(self, client, nodes)  # refunds and fulfilments, read meanwhile
            canonical = []
            for node in nodes:
                try:
                    canonical.append(normalize.order_from_graphql(node))
                except PermanentError as error:
                    with log._track(self, "import", "order", external_id=_node_id(node), payload=node):
                        raise error
                    not_imported += 1
            for binding in orders._import_orders(self, canonical, client=client, deferred=deferred):
                if binding:
                    imported += 1
                else:
                    not_imported += 1
            orders._book_deferred(self, deferred, client)
        return f"{imported} orders imported, {not_imported} skipped or failed"


def _node_id(node):
    try:
        return normalize.legacy_id(node.get("id")) if isinstance(node, dict) else None
    except PermanentError:
        return None
