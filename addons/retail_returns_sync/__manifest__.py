# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Retail Returns Sync",
    "summary": "Returns (RMA) with inspection, disposition, refunds and exchanges, synced with channels",
    "version": "19.0.0.1.0",
    "category": "Inventory/Connector",
    "author": "Retail Connector Suite contributors",
    "website": "https://github.com/retail-connector-suite/retail-connector-suite",
    "license": "LGPL-3",
    "depends": ["retail_connector_shopify", "stock_account"],
    "data": [],
    "installable": True,
}
