# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.exceptions import AccessError
from odoo.tests.common import new_test_user

from .common import CURRENT_SECRET, RetailCase, make_backend


class TestSecurity(RetailCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Shop B Ltd"})
        cls.backend_b = make_backend(cls.env, name="Shop B", company=cls.company_b)
        cls.user_b = new_test_user(
            cls.env,
            login="rc_user_b",
            groups="base.group_user,retail_connector_base.group_retail_connector_user",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
        )

    def test_connector_user_cannot_read_secrets(self):
        backend = self.backend.with_user(self.connector_user)
        self.assertEqual(backend.name, "Test Shop")
        with self.assertRaises(AccessError):
            backend.read(["webhook_secret"])
        with self.assertRaises(AccessError):
            backend.read(["webhook_secret_previous"])
        self.assertNotIn("webhook_secret", backend.fields_get())

    def test_manager_reads_and_rotates_secrets(self):
        backend = self.backend.with_user(self.manager)
        self.assertEqual(backend.webhook_secret, CURRENT_SECRET)
        backend.action_rotate_webhook_secret()
        self.assertEqual(backend.webhook_secret_previous, CURRENT_SECRET)
        self.assertNotEqual(backend.webhook_secret, CURRENT_SECRET)
        self.assertGreaterEqual(len(backend.webhook_secret), 32)

    def test_secrets_never_reach_chatter_or_tracking(self):
        backend = (
            self.env["retail.backend"]
            .with_context(tracking_disable=False)
            .create({"name": "Tracked Shop", "channel": "test", "webhook_secret": "first-secret-value"})
        )
        backend.with_user(self.manager).action_rotate_webhook_secret()
        backend.write({"state": "active", "name": "Tracked Shop 2"})
        new_secret = backend.webhook_secret
        messages = self.env["mail.message"].search([("model", "=", "retail.backend"), ("res_id", "=", backend.id)])
        self.assertTrue(messages, "state and name changes are tracked")
        texts = " ".join(
            str(m.body) + " ".join(str(v.old_value_char) + str(v.new_value_char) for v in m.sudo().tracking_value_ids)
            for m in messages
        )
        self.assertNotIn("first-secret-value", texts)
        self.assertNotIn(new_secret, texts)

    def test_connector_user_cannot_change_backends(self):
        with self.assertRaises(AccessError):
            self.backend.with_user(self.connector_user).write({"name": "Renamed"})

    def test_other_company_backend_is_invisible(self):
        visible = self.env["retail.backend"].with_user(self.user_b).search([])
        self.assertEqual(visible, self.backend_b)
        with self.assertRaises(AccessError):
            self.backend.with_user(self.user_b).read(["name"])

    def test_other_company_exceptions_logs_and_events_are_invisible(self):
        self.env["retail.exception"]._report("import_failed", key="a", backend=self.backend, message="A")
        self.env["retail.exception"]._report("import_failed", key="b", backend=self.backend_b, message="B")
        self.receive({"id": 1, "name": "A"}, delivery="sa")
        self.receive({"id": 2, "name": "B"}, delivery="sb", backend=self.backend_b)
        as_b = self.env(user=self.user_b)
        self.assertEqual(as_b["retail.exception"].search([]).mapped("backend_id"), self.backend_b)
        self.assertEqual(as_b["retail.webhook.event"].search([]).mapped("backend_id"), self.backend_b)
        log = self.env["retail.sync.log"]
        for backend in (self.backend, self.backend_b):
            with log._track(backend, "import", "partner", external_id=f"p{backend.id}") as run:
                run.message = backend.name
        self.assertEqual(as_b["retail.sync.log"].search([]).mapped("message"), [self.backend_b.name])

    def test_accountant_sees_finance_exceptions_only(self):
        self.env["retail.exception"]._report("import_failed", key="tech", backend=self.backend, message="Tech")
        finance = self.env["retail.exception"]._report(
            "amount_mismatch", key="fin", backend=self.backend, message="Payout 12 differs by 3.20 EUR"
        )
        as_accountant = self.env["retail.exception"].with_user(self.accountant)
        self.assertEqual(as_accountant.search([]), finance)
        finance.with_user(self.accountant).action_resolve()
        self.assertEqual(finance.state, "resolved")
        with self.assertRaises(AccessError):
            self.env["retail.backend"].with_user(self.accountant).create({"name": "X", "channel": "test"})

    def test_connector_user_reads_inbox_but_not_payload_field_in_other_company(self):
        event, __ = self.receive({"id": 3, "name": "C"}, delivery="sc")
        self.assertEqual(event.with_user(self.connector_user).topic, "partners/update")
        with self.assertRaises(AccessError):
            event.with_user(self.connector_user).read(["payload"])
        self.assertEqual(event.with_user(self.manager).payload["name"], "C")
        with self.assertRaises(AccessError):
            event.with_user(self.user_b).read(["topic"])
