# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Retail Connector Shopify",
    "summary": "Shopify channel for the Retail Connector Suite (Admin GraphQL API)",
    "version": "19.0.0.1.0",
    "category": "Sales/Connector",
    "author": "Retail Connector Suite contributors",
    "website": "https://github.com/retail-connector-suite/retail-connector-suite",
    "license": "LGPL-3",
    "depends": ["retail_connector_base", "sale_management", "stock"],
    "external_dependencies": {"python": ["requests"]},
    "data": [],
    "installable": True,
}
