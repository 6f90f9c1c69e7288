# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Cross-module checks: the suite is installed whole and wired into queue_job."""

from odoo.tests.common import TransactionCase

SUITE = ("retail_connector_base", "retail_connector_shopify", "retail_returns_sync", "retail_settlement_recon")


class TestSuiteInstalled(TransactionCase):
    # Not inside an addon: Odoo cannot derive these from the module path.
    test_tags = {"standard", "post_install"}
    test_module = "retail_suite"

    def test_all_four_addons_are_installed_at_19(self):
        modules = self.env["ir.module.module"].search([("name", "in", SUITE)])
        self.assertEqual(sorted(modules.mapped("name")), sorted(SUITE))
        self.assertEqual(set(modules.mapped("state")), {"installed"})
        for module in modules:
            self.assertTrue(module.latest_version.startswith("19.0."), module.name)
            self.assertIn(module.license, ("LGPL-3", "AGPL-3"))

    def test_queue_job_channels_and_functions_are_shipped(self):
        channels = self.env["queue.job.channel"].search([("complete_name", "=like", "root.retail%")])
        self.assertEqual(
            sorted(channels.mapped("complete_name")),
            ["root.retail", "root.retail.export", "root.retail.import", "root.retail.webhook"],
        )
        function = self.env.ref("retail_connector_base.job_function_retail_webhook_event_process")
        self.assertEqual(function.channel, "root.retail.webhook")
        config = self.env["queue.job.function"].job_config(function.name)
        self.assertEqual(config.retry_pattern, {1: 10, 5: 60, 10: 300})
        self.assertEqual(config.channel, "root.retail.webhook")
        inbox = self.env["queue.job.function"].job_config(
            self.env.ref("retail_connector_base.job_function_retail_webhook_event_inbox").name
        )
        self.assertEqual((inbox.channel, inbox.retry_pattern), ("root.retail.webhook", {1: 10, 5: 60, 10: 300}))

    def test_scheduled_actions_are_active(self):
        for xmlid in (
            "retail_connector_base.ir_cron_retail_sync_log_gc",
            "retail_connector_base.ir_cron_retail_exception_age",
            "retail_connector_base.ir_cron_retail_failed_jobs",
            "retail_connector_base.ir_cron_retail_webhook_waiting",
        ):
            self.assertTrue(self.env.ref(xmlid).active, xmlid)

    def test_menus_for_connector_users_and_accountants(self):
        root = self.env.ref("retail_connector_base.menu_retail_root")
        finance_menu = self.env.ref("retail_connector_base.menu_retail_workbench_finance")
        accountant_group = self.env.ref("retail_connector_base.group_retail_connector_finance")
        self.assertIn(accountant_group, root.group_ids)
        self.assertIn(accountant_group, finance_menu.group_ids)
        action = self.env.ref("retail_connector_base.action_retail_exception_finance")
        self.assertEqual(action.domain, "[('category', '=', 'finance')]")
