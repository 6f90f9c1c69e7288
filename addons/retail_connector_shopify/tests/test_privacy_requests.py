# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shopify's mandatory compliance webhooks: a customer's data request, their erasure,
and the shop's erasure after the app was uninstalled."""

import base64
import json

from odoo.addons.queue_job.tests.common import trap_jobs

from ..sandbox import rest
from .common import ShopifyCase


class TestPrivacyRequests(ShopifyCase):
    def _import_by_webhook(self, email):
        """A new Shopify order delivered by orders/create, as the shop would: the inbox keeps its payload."""
        order = self.sandbox.create_order(lines=[(sorted(self.products_by_sku)[0], 2)], email=email)
        event = self.deliver_webhook("orders/create", rest.rest_order(order))
        self.assertEqual(event.state, "done", event.error_message)
        binding = self.env["shopify.order.binding"]._lookup(self.backend, order["id"])
        self.assertTrue(binding.odoo_id)
        return order, binding.odoo_id, event

    def _exceptions(self, type_code):
        return self.env["retail.exception"].search(
            [("backend_id", "=", self.backend.id), ("type_code", "=", type_code)]
        )

    def test_data_request_attaches_what_odoo_holds_about_the_customer(self):
        order, sale, __ = self._import_by_webhook("grace@example.org")
        body = self.sandbox.privacy_request("customers/data_request", order["customer"]["id"], emit=False)
        event = self.deliver_webhook("customers/data_request", body)
        self.assertEqual(event.state, "done", event.error_message)
        exception = self._exceptions("shopify_customer_data_request")
        self.assertEqual(len(exception), 1)
        self.assertEqual((exception.res_model, exception.res_id), ("res.partner", sale.partner_id.id))
        self.assertIn("by ", exception.message)
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "retail.exception"), ("res_id", "=", exception.id)]
        )
        self.assertEqual(len(attachment), 1)
        data = json.loads(base64.b64decode(attachment.datas))
        self.assertEqual(data["shopify_customer_id"], str(order["customer"]["id"]))
        self.assertIn("grace@example.org", [contact["email"] for contact in data["contacts"]])
        self.assertEqual(len(data["orders"]), 1)
        exported = data["orders"][0]
        self.assertEqual((exported["odoo_reference"], exported["total"]), (sale.name, sale.amount_total))
        sold = [(line.product_id.display_name, line.product_uom_qty) for line in sale.order_line]
        self.assertEqual([(line["product"], line["quantity"]) for line in exported["lines"]], sold)
        self.assertIn(2.0, [quantity for __, quantity in sold])
        self.assertEqual([invoice["number"] for invoice in exported["invoices"]], sale.invoice_ids.mapped("name"))
        # Shopify delivers it again: still one exception, one file
        self.deliver_webhook("customers/data_request", body)
        self.assertEqual((len(self._exceptions("shopify_customer_data_request")), exception.occurrence_count), (1, 2))
        self.assertEqual(
            self.env["ir.attachment"].search_count(
                [("res_model", "=", "retail.exception"), ("res_id", "=", exception.id)]
            ),
            1,
        )

    def test_data_request_file_is_deleted_once_answered(self):
        order, __, __ = self._import_by_webhook("lou@example.org")
        body = self.sandbox.privacy_request("customers/data_request", order["customer"]["id"], emit=False)
        self.deliver_webhook("customers/data_request", body)
        exception = self._exceptions("shopify_customer_data_request")
        files = [("res_model", "=", "retail.exception"), ("res_id", "=", exception.id)]
        self.assertEqual(self.env["ir.attachment"].search_count(files), 1)
        exception.with_user(self.manager).action_resolve()
        self.assertEqual(exception.state, "resolved")
        self.assertEqual(self.env["ir.attachment"].search_count(files), 0, "no copy of the customer's data is kept")
        self.assertIn("its files were deleted", exception.message_ids[0].body)
        # other exceptions keep their files
        other = self.env["retail.exception"]._report("webhook_failed", key="other", backend=self.backend, message="x")
        other.message_post(body="a file", attachments=[("evidence.txt", b"kept")])
        other.action_resolve()
        self.assertEqual(
            self.env["ir.attachment"].search_count([("res_model", "=", "retail.exception"), ("res_id", "=", other.id)]),
            1,
        )

    def test_data_request_for_an_unknown_customer_is_logged_only(self):
        body = {
            "shop_domain": "sandbox-shop.myshopify.com",
            "customer": {"id": 424242, "email": "nobody@example.org", "phone": None},
            "orders_requested": [],
            "data_request": {"id": 77},
        }
        event = self.deliver_webhook("customers/data_request", body)
        self.assertEqual(event.state, "done")
        self.assertFalse(self._exceptions("shopify_customer_data_request"))
        log = self.env["retail.sync.log"].search([("entity", "=", "privacy"), ("external_id", "=", "424242")])
        self.assertEqual((log.result, log.message), ("skipped", "Odoo holds no data of this customer"))

    def test_redact_anonymises_the_contact_and_erases_the_payloads(self):
        order, sale, order_event = self._import_by_webhook("heidi@example.org")
        partner = sale.partner_id
        renamed = self.sandbox.update_customer(
            order["customer"]["id"], emit=False, first_name="Heidi", last_name="Klum"
        )
        self.deliver_webhook("customers/update", renamed)
        update_log = self.env["retail.sync.log"].search(
            [("entity", "=", "customer"), ("external_id", "=", str(order["customer"]["id"]))], limit=1
        )
        self.assertIn("Heidi Klum", update_log.message)
        addresses = sale.partner_shipping_id | sale.partner_invoice_id
        invoice_total = sale.invoice_ids.amount_total
        country = partner.country_id
        body = self.sandbox.privacy_request("customers/redact", order["customer"]["id"], emit=False)
        event = self.deliver_webhook("customers/redact", body)
        self.assertEqual(event.state, "done", event.error_message)
        self.assertTrue(partner.name.startswith("Anonymised customer"))
        self.assertEqual((partner.email, partner.phone, partner.street, partner.city), (False, False, False, False))
        for address in addresses - partner:
            self.assertTrue(address.name.startswith("Anonymised address"))
            self.assertFalse(address.street)
        self.assertEqual(partner.country_id, country, "the country stays for tax reporting")
        # the books are untouched
        self.assertEqual((sale.state, sale.partner_id), ("sale", partner))
        self.assertEqual(sale.invoice_ids.amount_total, invoice_total)
        self.assertEqual(order_event.sudo().payload, {"redacted": True})
        self.assertEqual(event.sudo().payload, {"redacted": True})
        self.assertFalse(self.env["shopify.customer.binding"]._lookup(self.backend, order["customer"]["id"]))
        self.assertFalse(self._exceptions("shopify_customer_redact"))
        self.assertEqual(update_log.message, "(erased on the customer's request)", "the log named them")
        # an erased delivery cannot be replayed
        with self.assertRaisesRegex(Exception, "erased"):
            order_event.action_replay()
        # the same person ordering again is a new contact, not the anonymised one
        __, again, __ = self._import_by_webhook("heidi@example.org")
        self.assertNotEqual(again.partner_id, partner)
        self.assertEqual(again.partner_id.email, "heidi@example.org")

    def test_redact_leaves_a_contact_used_outside_the_shop_to_a_person(self):
        order, sale, order_event = self._import_by_webhook("ivan@example.org")
        partner = sale.partner_id
        self.env["sale.order"].create(
            {"partner_id": partner.id, "order_line": [(0, 0, {"product_id": sale.order_line[0].product_id.id})]}
        )
        body = self.sandbox.privacy_request("customers/redact", order["customer"]["id"], emit=False)
        event = self.deliver_webhook("customers/redact", body)
        self.assertEqual(event.state, "done", event.error_message)
        self.assertEqual(partner.email, "ivan@example.org", "not anonymised")
        exception = self._exceptions("shopify_customer_redact")
        self.assertEqual(len(exception), 1)
        self.assertIn("1 sale orders are not this shop's", exception.message)
        self.assertEqual(order_event.sudo().payload, {"redacted": True}, "the connector's copies are erased anyway")

    def test_shop_redact_is_processed_while_the_app_is_uninstalled(self):
        __, sale, order_event = self._import_by_webhook("judy@example.org")
        self.deliver_webhook("app/uninstalled", rest.rest_app_uninstalled(self.sandbox.state["shop"]))
        self.assertEqual(self.backend.state, "paused")
        body = self.sandbox.privacy_request("shop/redact", emit=False)
        inbox = self.env["retail.webhook.event"]
        with trap_jobs() as trap:
            # both go through the inbox job, as deliveries do, then through their own job
            waiting, __ = inbox._receive(self.backend, "orders/updated", "late-delivery", {"id": 1}, 9)
            event, __ = inbox._receive(self.backend, "shop/redact", "shop-redact-delivery", body, 60)
            inbox._dispatch_inbox_job(self.backend)  # the inbox job (one is pending already)
            trap.assert_jobs_count(1)  # one event job: the order update waits
            trap.perform_enqueued_jobs()
        self.assertEqual(waiting.state, "received", "an order update waits for Resume")
        self.assertEqual(event.state, "done", event.error_message)
        self.assertFalse(self.backend.sudo().shopify_access_token)
        self.assertEqual(order_event.sudo().payload, {"redacted": True})
        self.assertEqual(waiting.sudo().payload, {"redacted": True})
        self.assertEqual(len(self._exceptions("shopify_shop_redact")), 1)
        self.assertEqual(sale.state, "sale", "the retailer's books stay")
        self.assertEqual(sale.partner_id.email, "judy@example.org")

    def test_request_for_another_shop_changes_nothing(self):
        __, __, order_event = self._import_by_webhook("ken@example.org")
        event = self.deliver_webhook("shop/redact", {"shop_id": 1, "shop_domain": "other-shop.myshopify.com"})
        self.assertEqual(event.state, "failed")
        self.assertIn("other-shop.myshopify.com", event.error_message)
        self.assertTrue(self.backend.sudo().shopify_access_token)
        self.assertNotEqual(order_event.sudo().payload, {"redacted": True})
