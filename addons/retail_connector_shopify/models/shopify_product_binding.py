# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models

from odoo.addons.retail_connector_base.lib.retry import PermanentError, catch_up

from ..lib import normalize

#: Shopify names the only variant of a product without options like this
DEFAULT_VARIANT_TITLE = "Default Title"


class ShopifyProductBinding(models.Model):
    """A Shopify product variant bound to an Odoo product."""

    _name = "shopify.product.binding"
    _inherit = "retail.binding.mixin"
    _description = "Shopify Product Variant Binding"

    odoo_id = fields.Many2one("product.product", string="Product", required=True, ondelete="cascade", index=True)
    active = fields.Boolean(
        default=True,
        help="Archived when the variant is deleted in Shopify: its stock is no longer sent; the Odoo product stays.",
    )
    shopify_product_id = fields.Char(string="Shopify Product ID", index=True)
    inventory_item_id = fields.Char(string="Inventory Item ID", index=True)
    sku = fields.Char(string="SKU", index=True)
    stock_dirty = fields.Boolean(
        string="Stock To Push", index=True, help="Odoo's stock changed since it was last sent to Shopify."
    )
    stock_level_ids = fields.One2many("shopify.stock.level", "binding_id", string="Stock Levels")

    # ------------------------------------------------------------------
    # Import (catch-up)
    # ------------------------------------------------------------------
    @api.model
    def _catch_up_products(self, backend, since, cursor=None):
        """Import the variants updated since ``since`` (all when None), from page
        ``cursor`` when given; return the newest 'updated at'."""
        client = backend._shopify_client()
        # Shopify's search syntax; the overlap of the base covers clock skew.
        query = f"updated_at:>'{since.strftime('%Y-%m-%dT%H:%M:%SZ')}'" if since else None

        def import_one(node):
            variant = normalize.variant_from_graphql(node)
            self._import_variant(backend, variant, node)
            return variant["updated_at"]

        pages = client.pages("product_variants", {"query": query, "after": cursor}, ("productVariants",))
        return catch_up(pages, import_one, max_records=backend.catch_up_batch_size)

    @api.model
    def _import_product_webhook(self, backend, event):
        """products/create, products/update: bind each variant of the product (the same
        rules as the catch-up; an older or unchanged variant is skipped); variants no
        longer in the product were deleted in Shopify and are unbound."""
        variants = normalize.variants_from_rest_product(event.payload)
        results = [self._import_variant(backend, variant) for variant in variants]
        product_id = normalize.legacy_id((event.payload or {}).get("id"))
        gone = self.search(
            [
                ("backend_id", "=", backend.id),
                ("shopify_product_id", "=", product_id),
                ("external_id", "not in", [variant["id"] for variant in variants]),
            ]
        )
        gone._archive_deleted(backend)
        message = f"{results.count('done')} of {len(variants)} variant(s) imported"
        return f"{message}, {len(gone)} deleted variant(s) unbound" if gone else message

    @api.model
    def _delete_product_webhook(self, backend, event):
        """products/delete: the product's variants are unbound; the Odoo products stay."""
        product_id = normalize.legacy_id((event.payload or {}).get("id"))
        if not product_id:
            raise PermanentError("Shopify products/delete without a product id")
        bindings = self.search([("backend_id", "=", backend.id), ("shopify_product_id", "=", product_id)])
        bindings._archive_deleted(backend)
        return f"{len(bindings)} variant(s) of Shopify product {product_id} unbound"

    def _archive_deleted(self, backend):
        """Variants deleted in Shopify: archived (stock no longer sent), logged."""
        log = self.env["retail.sync.log"]
        for binding in self:
            with log._track(backend, "import", "product", external_id=binding.external_id) as run:
                run.record = binding.odoo_id
                binding.write({"active": False, "stock_dirty": False, "last_synced_at": fields.Datetime.now()})
                run.message = f"deleted in Shopify: {binding.sku or binding.external_id} unbound, product kept"

    @api.model
    def _import_variant(self, backend, variant, payload=None):
        """Bind one canonical variant (update, match by SKU/barcode, or create); return the run result."""
        payload = payload if payload is not None else variant
        with self.env["retail.sync.log"]._track(
            backend, "import", "product", external_id=variant["id"], payload=payload
        ) as run:
            binding, result = self._import_record(
                backend,
                variant["id"],
                payload,
                lambda binding, _data: self._apply_variant(backend, binding, variant),
                external_updated_at=variant["updated_at"],
            )
            run.record = binding.odoo_id
            run.external_updated_at = variant["updated_at"]
            if result == "skipped":
                run.skip("unchanged or older variant")
            else:
                binding.write(
                    {
                        "sku": variant["sku"],
                        "shopify_product_id": variant["product_id"],
                        "inventory_item_id": variant["inventory_item_id"],
                    }
                )
                run.message = f"{variant['sku'] or variant['id']} -> {binding.odoo_id.display_name}"
        return run.result

    @api.model
    def _apply_variant(self, backend, binding, variant):
        products = self.env["product.product"].with_context(active_test=False)
        if binding:
            product = binding.odoo_id
            values = {"list_price": float(variant["price"])}
            if variant["sku"] and not product.default_code:
                values["default_code"] = variant["sku"]
            if variant["barcode"] and product.barcode != variant["barcode"] and not self._barcode_taken(variant):
                values["barcode"] = variant["barcode"]
            product.write(values)
            return product
        product = self._match_product(backend, variant)
        if product:
            return product
        title = variant["product_title"] or variant["sku"] or variant["id"]
        if variant["title"] and variant["title"] != DEFAULT_VARIANT_TITLE:
            title = f"{title} ({variant['title']})"
        return products.create(
            {
                "name": title,
                "default_code": variant["sku"] or False,
                "barcode": (variant["barcode"] if not self._barcode_taken(variant) else False) or False,
                "type": "consu",
                # storable so that Odoo tracks the stock it pushes to Shopify
                "is_storable": True,
                "list_price": float(variant["price"]),
                "company_id": False,
            }
        )

    @api.model
    def _match_product(self, backend, variant):
        """An existing product with the variant's SKU, else its barcode."""
        products = self.env["product.product"]
        company_domain = [("company_id", "in", (False, backend.company_id.id))]
        if variant["sku"]:
            product = products.search([("default_code", "=", variant["sku"]), *company_domain], limit=1)
            if product:
                return product
        if variant["barcode"]:
            return products.search([("barcode", "=", variant["barcode"]), *company_domain], limit=1)
        return products

    @api.model
    def _barcode_taken(self, variant):
        return bool(
            variant["barcode"]
            and self.env["product.product"]
            .with_context(active_test=False)
            .search_count([("barcode", "=", variant["barcode"])], limit=1)
        )
