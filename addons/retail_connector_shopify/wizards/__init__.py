from . import shopify_backfill_wizard
