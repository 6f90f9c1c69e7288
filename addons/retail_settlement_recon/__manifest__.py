# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Retail Settlement Reconciliation",
    "summary": "Payouts from Shopify Payments, Stripe, PayPal and Adyen matched to orders and bank deposits",
    "version": "19.0.0.4.0",
    "category": "Accounting/Connector",
    "author": "Retail Connector Suite contributors",
    "website": "https://github.com/retail-connector-suite/retail-connector-suite",
    "license": "LGPL-3",
    "depends": ["account", "sale", "retail_connector_base", "retail_connector_shopify", "queue_job"],
    "data": [
        "security/ir.model.access.csv",
        "security/retail_settlement_security.xml",
        "data/queue_job_data.xml",
        "data/retail_exception_type_data.xml",
        "data/ir_cron_data.xml",
        "views/retail_settlement_provider_views.xml",
        "views/retail_settlement_views.xml",
        "views/retail_settlement_import_batch_views.xml",
        "wizards/retail_settlement_wizard_views.xml",
        "views/retail_settlement_menus.xml",
        "views/retail_backend_views.xml",
    ],
    "assets": {
        "web.assets_tests": ["retail_settlement_recon/static/tests/tours/*.js"],
    },
    "installable": True,
}
