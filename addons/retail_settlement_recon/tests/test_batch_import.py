# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import base64

from odoo.tests import new_test_user, tagged

from odoo.addons.queue_job.tests.common import trap_jobs

from .common import FIXTURES, SettlementCase

HEADER = (FIXTURES / "stripe_payout.csv").read_text().splitlines()[0]


def stripe_file(payouts=10, charges=2, currency="usd", bad_currency_payout=None):
    """A Stripe export of ``payouts`` payouts of ``charges`` charges and one payout row each."""
    lines = [HEADER]
    for p in range(1, payouts + 1):
        payout_id = f"po_B{p:03d}"
        cur = "xyz" if p == bad_currency_payout else currency
        for c in range(1, charges + 1):
            tx = f"ch_B{p:03d}_{c}"
            lines.append(
                f"txn_{p:03d}_{c},2026-03-02 10:00:00,2026-03-04 00:00:00,{cur},10.00,0.30,9.70,charge,{tx},"
                f"Order #B{p}{c},ann@example.com,{payout_id},2026-03-10 00:00:00,{tx},#B{p}{c}"
            )
        net = 9.70 * charges
        lines.append(
            f"txn_{p:03d}_p,2026-03-10 00:00:00,2026-03-10 00:00:00,{cur},-{net:.2f},0.00,-{net:.2f},payout,"
            f"{payout_id},STRIPE PAYOUT,,{payout_id},2026-03-10 00:00:00,,"
        )
    return ("\n".join(lines) + "\n").encode()


@tagged("post_install", "-at_install")
class TestBatchImport(SettlementCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(
            cls.env,
            login="batch_accountant",
            groups="retail_connector_base.group_retail_connector_finance,account.group_account_user",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )
        cls.provider.batch_import_rows = 10

    def wizard(self, content, name="big.csv", user=None):
        env = self.env(user=user) if user else self.env
        return env["retail.settlement.import.wizard"].create(
            {
                "provider_id": self.provider.id,
                "data_file": base64.b64encode(content),
                "file_name": name,
            }
        )

    def line_count(self, settlements):
        return self.env["retail.settlement.line"].search_count([("settlement_id", "in", settlements.ids)])

    def settlements(self):
        return self.env["retail.settlement"].search([("provider_id", "=", self.provider.id)])

    def test_large_file_is_imported_by_jobs_with_progress(self):
        content = stripe_file()  # 10 payouts x 3 rows = 30 rows
        with trap_jobs() as trap:
            wizard = self.wizard(content, user=self.accountant)
            action = wizard.action_import()
            batch = wizard.batch_id
            self.assertEqual(action["res_model"], "retail.settlement.import.batch")
            self.assertEqual(action["res_id"], batch.id)
            # payouts are never split: chunks of 4 payouts (12 rows), 4, then 2
            trap.assert_jobs_count(3, only=batch._import_chunk_job)
            self.assertFalse(self.settlements(), "nothing is imported in the request")
            self.assertEqual((batch.state, batch.total_rows, batch.imported_rows), ("queued", 30, 0))
            self.assertEqual(batch.progress, 0.0)
            trap.perform_enqueued_jobs()
        batch.invalidate_recordset()
        self.assertEqual(batch.state, "done")
        self.assertEqual((batch.imported_rows, batch.total_rows, batch.chunks_done), (30, 30, 3))
        self.assertEqual(batch.progress, 100.0)
        settlements = self.settlements()
        self.assertEqual(len(settlements), 10)
        self.assertEqual(batch.settlement_ids, settlements)
        self.assertEqual(self.line_count(settlements), 30)
        self.assertEqual(set(settlements.mapped("source_file_name")), {"big.csv"})
        self.assertEqual(batch.action_view_settlements()["domain"], [("id", "in", settlements.ids)])
        # the same file again: nothing to queue, nothing created
        with trap_jobs() as trap:
            wizard = self.wizard(content)
            wizard.action_import()
            trap.assert_jobs_count(0)
        again = wizard.batch_id
        self.assertEqual((again.state, again.imported_rows, again.total_rows), ("done", 30, 30))
        self.assertEqual(self.settlements(), settlements)
        self.assertEqual(self.line_count(settlements), 30)

    def test_rerun_job_creates_nothing(self):
        with trap_jobs() as trap:
            wizard = self.wizard(stripe_file(payouts=4))
            wizard.action_import()
            jobs = list(trap.enqueued_jobs)
            trap.perform_enqueued_jobs()
        self.assertEqual(len(self.settlements()), 4)
        batch = wizard.batch_id
        # a job performed twice (retry after a lost worker) is harmless
        batch._import_chunk_job(jobs[0].args[0], jobs[0].args[1])
        self.assertEqual(len(self.settlements()), 4)
        self.assertEqual(batch.imported_rows, 12, "never more than the file's rows")

    def test_small_file_imports_at_once(self):
        with trap_jobs() as trap:
            wizard = self.wizard((FIXTURES / "stripe_payout.csv").read_bytes(), name="stripe_payout.csv")
            action = wizard.action_import()
            trap.assert_jobs_count(0)
        self.assertFalse(wizard.batch_id)
        self.assertEqual(action["res_model"], "retail.settlement")
        self.assertEqual(self.settlements().external_id, "po_T1")
        self.assertFalse(self.env["retail.settlement.import.batch"].search([]))

    def test_default_threshold(self):
        self.assertEqual(
            self.env["retail.settlement.provider"].default_get(["batch_import_rows"]), {"batch_import_rows": 2000}
        )

    def test_bad_chunk_marks_batch_failed(self):
        with trap_jobs() as trap:
            wizard = self.wizard(stripe_file(payouts=8, bad_currency_payout=6))
            wizard.action_import()
            trap.perform_enqueued_jobs()
        batch = wizard.batch_id
        batch.invalidate_recordset()
        self.assertEqual(batch.state, "failed")
        self.assertIn("XYZ", batch.error)
        # the chunk without the bad payout was imported, the failed chunk not at all
        self.assertEqual(sorted(self.settlements().mapped("external_id")), [f"po_B{p:03d}" for p in range(1, 5)])
