# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Retail Connector Base - test channel",
    "summary": "A minimal channel used only by the tests of retail_connector_base",
    "version": "19.0.1.0.0",
    "category": "Hidden/Tests",
    "author": "Retail Connector Suite contributors",
    "website": "https://github.com/retail-connector-suite/retail-connector-suite",
    "license": "LGPL-3",
    "depends": ["retail_connector_base"],
    "data": ["security/ir.model.access.csv", "security/test_retail_connector_rules.xml"],
    "installable": True,
}
