#!/usr/bin/env python3
"""Run the Shopify sandbox: ``python3 scripts/shopify_sandbox.py --port 8765 --orders 200 --seed 7``."""

import sys
from pathlib import Path

import odoo.addons

ADDONS = str(Path(__file__).resolve().parents[1] / "addons")
if ADDONS not in odoo.addons.__path__:
    odoo.addons.__path__.append(ADDONS)

from odoo.addons.retail_connector_shopify.sandbox import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
