# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Retail Settlement Reconciliation",
    "summary": "Payouts from Shopify Payments, Stripe, PayPal and Adyen matched to orders and bank deposits",
    "version": "19.0.0.1.0",
    "category": "Accounting/Connector",
    "author": "Retail Connector Suite contributors",
    "website": "https://github.com/retail-connector-suite/retail-connector-suite",
    "license": "LGPL-3",
    "depends": ["retail_connector_shopify", "account"],
    "data": [],
    "installable": True,
}
