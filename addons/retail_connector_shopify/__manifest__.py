# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Retail Connector Shopify",
    "summary": "Shopify channel (Admin GraphQL API): orders, products, refunds and fulfilments in, "
    "stock, fulfilments, cancellations and refunds out",
    "version": "19.0.1.6.1",
    "category": "Sales/Connector",
    "author": "Retail Connector Suite contributors",
    "website": "https://github.com/retail-connector-suite/retail-connector-suite",
    "license": "LGPL-3",
    "depends": [
        "retail_connector_base",
        "sale_management",
        "sale_stock",
        "stock_delivery",
        "account",
    ],
    "external_dependencies": {"python": ["requests", "graphql-core"]},
    "data": [
        "security/ir.model.access.csv",
        "security/shopify_security.xml",
        "data/queue_job_data.xml",
        "data/retail_exception_type_data.xml",
        "data/ir_cron_data.xml",
        "views/retail_backend_views.xml",
        "views/shopify_mapping_views.xml",
        "views/shopify_binding_views.xml",
        "views/sale_order_views.xml",
        "views/product_template_views.xml",
        "views/stock_picking_views.xml",
        "wizards/shopify_backfill_wizard_views.xml",
        "views/shopify_menus.xml",
    ],
    "assets": {
        "web.assets_tests": ["retail_connector_shopify/static/tests/tours/*.js"],
    },
    "installable": True,
}
