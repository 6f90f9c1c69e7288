# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The README's screenshots, taken by Odoo's tour browser (headless Chromium, 1366x768).

Run by ``bash scripts/screenshots.sh``, never by ``scripts/test.sh``: the file name does not
match pytest's ``test_*.py``, so CI neither runs nor skips it. A small sandbox shop goes
through the lifecycle (import with its planted problems, deliveries, a return inspected and
refunded, a Shopify Payments payout), then each page is opened in the browser, awaited
until its content is rendered, and captured as a PNG into ``RETAIL_SCREENSHOTS_DIR``
(default ``docs/screenshots``).
"""

import base64
import os
import pathlib
import re
import shutil
import uuid
from datetime import UTC, datetime, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser

from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.addons.retail_connector_base.tests.common import perform_jobs
from odoo.addons.retail_connector_shopify.sandbox import generate_store
from odoo.addons.retail_connector_shopify.tests import common as shopify_test_common
from odoo.addons.retail_connector_shopify.tests.common import ShopifySetupMixin

SCREENSHOTS_DIR = pathlib.Path(
    os.environ.get("RETAIL_SCREENSHOTS_DIR") or pathlib.Path(__file__).resolve().parent.parent / "docs" / "screenshots"
)
#: the generated store's days of orders replayed as the last minutes, a day as a minute (the lag of a live shop)
STORE_TIME_COMPRESSION = 1440
ISO_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
#: the browser waits this long once the content is there (web fonts, list column widths)
SETTLE_MS = 1000


def _timestamps(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str) and ISO_TIMESTAMP.match(value):
                yield node, key
            else:
                yield from _timestamps(value)
    elif isinstance(node, list):
        for item in node:
            yield from _timestamps(item)


def _parse(value):
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def live_store(**kwargs):
    """The sandbox generator's store, its clock moved so that the newest change was a minute ago."""
    store = generate_store(**kwargs)
    stamps = list(_timestamps(store))
    newest = max(_parse(node[key]) for node, key in stamps)
    now = datetime.now(UTC) - timedelta(minutes=1)
    for node, key in stamps:
        moved = now - (newest - _parse(node[key])) / STORE_TIME_COMPRESSION
        node[key] = moved.strftime("%Y-%m-%dT%H:%M:%SZ")
    return store


@tagged("post_install", "-at_install", "retail_screenshots")
class TakeScreenshots(ShopifySetupMixin, HttpCase):
    store_orders = 16
    store_products = 6

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with patch.object(shopify_test_common, "generate_store", live_store):
            cls._setup_shopify()
        cls.env.ref("base.user_admin").tour_enabled = False  # no onboarding bubbles over the pages
        cls.company.tax_calculation_rounding_method = "round_per_line"
        cls.company.retail_return_post_refunds = True
        quants = cls.env["stock.quant"]
        for product in cls.products_by_sku.values():
            quants._update_available_quantity(product, cls.warehouse.lot_stock_id, 40.0)
        cls.backend._channel_test_connection()  # shop name, currency and scopes on the form
        cls.provider = cls._settlement_provider()
        cls._run_the_shop()

    @classmethod
    def _settlement_provider(cls):
        account = cls.env["account.account"]
        clearing = account.create(
            {
                "name": "Shopify Payments in transit",
                "code": "109961",
                "account_type": "asset_current",
                "reconcile": True,
            }
        )
        journal = cls.journal_by_gateway["shopify_payments"]
        for line in journal.inbound_payment_method_line_ids | journal.outbound_payment_method_line_ids:
            line.payment_account_id = clearing
        cls.bank = cls.env["account.journal"].create(
            {"name": "Main Bank", "code": "LBNK", "type": "bank", "company_id": cls.company.id}
        )
        return cls.env["retail.settlement.provider"].create(
            {
                "name": "Shopify Payments",
                "code": "shopify_payments",
                "company_id": cls.company.id,
                "backend_id": cls.backend.id,
                "clearing_account_id": clearing.id,
                "fee_account_id": account.create(
                    {"name": "Payment fees", "code": "626961", "account_type": "expense"}
                ).id,
                "adjustment_account_id": account.create(
                    {"name": "Payout differences", "code": "658961", "account_type": "expense"}
                ).id,
                "journal_id": cls.env["account.journal"]
                .search([("type", "=", "general"), ("company_id", "=", cls.company.id)], limit=1)
                .id,
                "bank_journal_id": cls.bank.id,
            }
        )

    @classmethod
    def _run_the_shop(cls):
        # orders in (the planted problems open workbench exceptions), then deliveries out
        with trap_jobs() as trap:
            cls.backend._catch_up_job()
            trap.perform_enqueued_jobs()
        sales = cls.env["shopify.order.binding"].search([("backend_id", "=", cls.backend.id)]).odoo_id
        pickings = sales.filtered(lambda sale: sale.state == "sale").picking_ids.filtered(
            lambda picking: picking.picking_type_code == "outgoing" and picking.state not in ("done", "cancel")
        )
        with trap_jobs() as trap:
            for picking in pickings:
                for move in picking.move_ids:
                    move.quantity = move.product_uom_qty
                    move.picked = True
                picking.button_validate()
            trap.perform_enqueued_jobs()

        # a customer returns two articles through Shopify: one is as new, the other goes to quarantine
        sale = max(pickings.sale_id, key=lambda order: len(order.order_line.filtered("product_id.is_storable")))
        order_id = sale.shopify_bind_ids.external_id
        items = cls.sandbox.store.order(order_id)["line_items"][:2]
        ret = cls.sandbox.create_return(order_id, [(item["id"], 1) for item in items], reason="DEFECTIVE")
        body = cls.sandbox.return_body(ret["id"])
        with trap_jobs() as trap:
            cls.env["retail.webhook.event"]._receive(
                cls.backend, "returns/request", f"return-{ret['id']}", body, len(str(body)), str(uuid.uuid4())
            )
            perform_jobs(trap)
        cls.rma = cls.env["retail.return.binding"]._lookup_record(cls.backend, ret["id"])
        grades = [
            cls.env.ref("retail_returns_sync.return_grade_as_new"),
            cls.env.ref("retail_returns_sync.return_grade_to_check"),
        ]
        with trap_jobs() as trap:
            cls.rma.action_approve()
            trap.perform_enqueued_jobs()
            cls.rma.action_receive()
            inspect = cls.env["retail.return.inspect.wizard"].with_context(default_retail_return_id=cls.rma.id)
            wizard = inspect.create({})
            for line, grade in zip(wizard.line_ids, grades, strict=False):
                line.grade_id = grade
            wizard.action_confirm()
            cls.rma.action_refund()
            trap.perform_enqueued_jobs()

        # Shopify pays out what it collected; the deposit is on the bank statement
        paid = cls.env["shopify.order.binding"].search([("backend_id", "=", cls.backend.id)]).mapped("external_id")
        payout = cls.sandbox.create_payout(order_ids=paid)
        cls.env["account.bank.statement.line"].create(
            {
                "journal_id": cls.bank.id,
                "date": fields.Date.context_today(cls.env.user),
                "amount": float(cls.sandbox.payout_net(payout)),
                "payment_ref": f"SHOPIFY PAYOUT {payout['id']}",
            }
        )
        with trap_jobs() as trap:
            cls.backend._catch_up_job()  # the return's refund comes back as a transaction
            trap.perform_enqueued_jobs()
        with trap_jobs() as trap:
            cls.backend.action_shopify_fetch_payouts()
            trap.perform_enqueued_jobs()
        cls.settlement = cls.env["retail.settlement"].search([("provider_id", "=", cls.provider.id)], limit=1)
        cls.settlement.action_post()

    def setUp(self):
        super().setUp()
        # a missing browser makes Odoo skip browser_js silently: here that is a failure
        self.assertTrue(
            any(shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")),
            "a headless Chromium is required (Debian's chromium package)",
        )
        __import__("websocket")
        SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)

    def capture(self, name, url, ready, then=""):
        """Open ``url`` as admin in the tour browser, wait until the JS expression ``ready`` holds, run the JS
        statement ``then`` (a click on a tab), let the page settle and save the viewport as ``name``.png
        (the browser's own Page.captureScreenshot, as ChromeBrowser.take_screenshot does)."""
        target = SCREENSHOTS_DIR / f"{name}.png"
        original = ChromeBrowser._wait_code_ok

        def wait_then_capture(browser, code, timeout, error_checker=None):
            original(browser, code, timeout, error_checker=error_checker)
            shot = browser._websocket_request("Page.captureScreenshot", params={"format": "png"}, timeout=30)
            target.write_bytes(base64.b64decode(shot["data"]))

        settle = f"new Promise((done) => setTimeout(done, {SETTLE_MS})).then(() => console.log('test successful'))"
        code = f"{then}; {settle}" if then else settle
        with patch.object(ChromeBrowser, "_wait_code_ok", wait_then_capture):
            self.browser_js(url, code, ready=f"!!({ready})", login="admin", timeout=60)
        self.assertGreater(target.stat().st_size, 10_000, f"{target} looks blank")

    def test_screenshots(self):
        # what the pages are expected to show
        open_problems = self.env["retail.exception"].search_count(
            [("backend_id", "=", self.backend.id), ("state", "in", ("new", "in_progress"))]
        )
        self.assertGreaterEqual(open_problems, 2)
        self.assertEqual(self.rma.state, "refunded")
        self.assertTrue(self.settlement.line_ids)
        self.assertEqual(self.settlement.state, "reconciled")

        self.capture(
            "dashboard",
            "/odoo/action-retail_connector_base.action_retail_dashboard",
            "document.querySelector('.o_retail_backend_dashboard .o_kanban_record:not(.o_kanban_ghost)')",
        )
        self.capture(
            "workbench",
            "/odoo/action-retail_connector_base.action_retail_exception",
            f"document.querySelectorAll('.o_list_view .o_data_row').length >= {open_problems}",
        )
        self.capture(
            "return",
            f"/odoo/action-retail_returns_sync.action_retail_return/{self.rma.id}",
            "document.querySelectorAll('.o_form_view .o_field_one2many .o_data_row').length >= 2",
        )
        self.capture(
            "backend",
            f"/odoo/action-retail_connector_base.action_retail_backend/{self.backend.id}",
            "document.querySelector('.o_form_view .o_notebook_headers a[name=shopify]')",
            then="document.querySelector('.o_notebook_headers a[name=shopify]').click();"
            "document.querySelector('.o_notebook_headers').scrollIntoView()",
        )
        self.capture(
            "payout",
            f"/odoo/action-retail_settlement_recon.action_retail_settlement/{self.settlement.id}",
            "document.querySelectorAll('.o_form_view .o_field_one2many .o_data_row').length >= 1",
            then="document.querySelector('.o_notebook').scrollIntoView({block: 'center'})",
        )
