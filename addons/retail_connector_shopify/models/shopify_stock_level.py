# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import math
import re
from collections import defaultdict

import psycopg2

from odoo import api, fields, models

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.retail_connector_base.lib.digest import payload_digest
from odoo.addons.retail_connector_base.lib.retry import UserInputError
from odoo.addons.retail_connector_base.lib.savepoint import racing_insert
from odoo.addons.retail_connector_base.models.retail_binding_mixin import LOCKED_RETRY_SECONDS

from ..lib import normalize
from ..lib.versions import document_for, requires_idempotency, uses_change_from_quantity

#: Shopify accepts at most 250 quantities per inventorySetQuantities call
INVENTORY_BATCH = 250
PAYLOAD_KEY = "inventorySetQuantities"
STALE_CODES = ("CHANGE_FROM_QUANTITY_STALE", "COMPARE_QUANTITY_STALE")
_QUANTITY_INDEX_RE = re.compile(r"^\d+$")


class ShopifyStockLevel(models.Model):
    """What was last sent to, and last read from, Shopify for one variant at one
    location: an inventory webhook that only echoes our own update is not drift."""

    _name = "shopify.stock.level"
    _description = "Shopify Stock Level"

    binding_id = fields.Many2one("shopify.product.binding", required=True, ondelete="cascade", index=True)
    location_map_id = fields.Many2one("shopify.location.map", required=True, ondelete="cascade", index=True)
    backend_id = fields.Many2one(related="binding_id.backend_id", store=True, index=True)
    company_id = fields.Many2one(related="binding_id.company_id", store=True)
    last_sent_qty = fields.Integer(string="Last Sent Quantity")
    last_sent_at = fields.Datetime()
    shopify_available = fields.Integer(string="Available in Shopify")
    shopify_updated_at = fields.Datetime(string="Read From Shopify At")

    _binding_location_uniq = models.Constraint(
        "UNIQUE(binding_id, location_map_id)", "One stock level per variant and location."
    )

    def _known_quantity(self):
        """Shopify's available quantity as far as Odoo knows (None: never sent nor read)."""
        if not self or not (self.last_sent_at or self.shopify_updated_at):
            return None
        return self.shopify_available

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    @api.model
    def _levels_for(self, bindings, location_maps):
        levels = self.search([("binding_id", "in", bindings.ids), ("location_map_id", "in", location_maps.ids)])
        return {(level.binding_id.id, level.location_map_id.id): level for level in levels}

    @api.model
    def _upsert(self, binding, location_map, values, level=None):
        level = level or self.search(
            [("binding_id", "=", binding.id), ("location_map_id", "=", location_map.id)], limit=1
        )
        if level:
            level.write(values)
            return level
        return self._create_levels([dict(values, binding_id=binding.id, location_map_id=location_map.id)])

    @api.model
    def _create_levels(self, vals_list):
        """Create levels; when another job (an inventory webhook, an export) created one of them
        after this transaction began, retry the job, which then sees it, instead of failing it."""
        try:
            with racing_insert(self.env.cr):
                return self.create(vals_list)
        except psycopg2.errors.UniqueViolation as exc:
            raise RetryableJobError(
                "a Shopify stock level was recorded concurrently by another job", seconds=LOCKED_RETRY_SECONDS
            ) from exc

    @api.model
    def _odoo_quantities(self, backend, bindings, location):
        """{product id: available quantity (integer, ≥ 0)} at ``location`` and its children."""
        products = bindings.odoo_id.sudo().with_company(backend.company_id).with_context(location=location.id)
        # Shopify counts whole units and sells nothing below zero.
        return {product.id: max(0, math.floor(product.free_qty + 1e-6)) for product in products}

    @api.model
    def _read_location_levels(self, client, location_map):
        """{inventory item id: available} of every item stocked at the mapped location."""
        available = {}
        nodes = client.iter_nodes(
            "inventory_levels",
            {"locationId": normalize.to_gid("Location", location_map.shopify_location_id)},
            ("location", "inventoryLevels"),
        )
        for node in nodes:
            item_id = normalize.legacy_id((node.get("item") or {}).get("id"))
            quantities = {q.get("name"): q.get("quantity") for q in node.get("quantities") or []}
            if item_id and quantities.get("available") is not None:
                available[item_id] = int(quantities["available"])
        return available

    # ------------------------------------------------------------------
    # Export
    # ------------------------------------------------------------------
    @api.model
    def _export_stock(self, backend, bindings=None, force=False):
        """Push Odoo's available quantities of ``bindings`` (default: the dirty
        ones, or all when ``force``); unchanged ones are skipped unless forced."""
        binding_model = self.env["shopify.product.binding"]
        if bindings is None:
            domain = [("backend_id", "=", backend.id)]
            if not force:
                domain.append(("stock_dirty", "=", True))
            bindings = binding_model.search(domain)
        location_maps = backend.shopify_location_map_ids.filtered("export_stock")
        sendable = bindings.filtered("inventory_item_id")
        levels = self._levels_for(sendable, location_maps)
        entries, unchanged = [], 0
        for location_map in location_maps:
            quantities = self._odoo_quantities(backend, sendable, location_map.location_id)
            for binding in sendable:
                level = levels.get((binding.id, location_map.id)) or self.browse()
                known = level._known_quantity()
                quantity = quantities[binding.odoo_id.id]
                if not force and known == quantity:
                    unchanged += 1
                    continue
                entries.append(
                    {"binding": binding, "map": location_map, "quantity": quantity, "known": known, "level": level}
                )
        calls = self._send_entries(backend, entries)
        bindings.filtered("stock_dirty").write({"stock_dirty": False})
        return f"sent {len(entries)} quantities of {len(sendable)} variants in {calls} call(s), {unchanged} unchanged"

    @api.model
    def _send_entries(self, backend, entries):
        if not entries:
            return 0
        client = backend._shopify_client()
        calls = 0
        for start in range(0, len(entries), INVENTORY_BATCH):
            calls += self._send_batch(backend, client, entries[start : start + INVENTORY_BATCH])
        # Remember what was sent, in bulk: one write per distinct quantity, one create for the new levels.
        now = fields.Datetime.now()
        new_levels, known_by_quantity = [], defaultdict(list)
        for entry in entries:
            sent = {"last_sent_qty": entry["quantity"], "last_sent_at": now, "shopify_available": entry["quantity"]}
            if entry["level"]:
                known_by_quantity[entry["quantity"]].append(entry["level"].id)
            else:
                new_levels.append(dict(sent, binding_id=entry["binding"].id, location_map_id=entry["map"].id))
        for quantity, level_ids in known_by_quantity.items():
            sent = {"last_sent_qty": quantity, "last_sent_at": now, "shopify_available": quantity}
            self.browse(level_ids).write(sent)
        self._create_levels(new_levels)
        return calls

    @api.model
    def _batch_variables(self, backend, version, entries):
        change_from = uses_change_from_quantity(version)
        all_known = all(entry["known"] is not None for entry in entries)
        quantities = []
        for entry in entries:
            quantity = {
                "inventoryItemId": normalize.to_gid("InventoryItem", entry["binding"].inventory_item_id),
                "locationId": normalize.to_gid("Location", entry["map"].shopify_location_id),
                "quantity": entry["quantity"],
            }
            if change_from:
                # null = Odoo does not know Shopify's quantity yet: no check
                quantity["changeFromQuantity"] = entry["known"]
            elif all_known:
                quantity["compareQuantity"] = entry["known"]
            quantities.append(quantity)
        values = {
            "name": "available",
            "reason": "correction",
            "referenceDocumentUri": f"gid://odoo/retail.backend/{backend.id}",
            "quantities": quantities,
        }
        if not change_from and not all_known:
            values["ignoreCompareQuantity"] = True
        variables = {"input": values}
        if requires_idempotency(version):
            # the same batch sent again (job retried after a lost answer) applies once
            variables["idempotencyKey"] = payload_digest(values)
        return variables

    @api.model
    def _send_batch(self, backend, client, entries):
        """One inventorySetQuantities call; on a stale quantity, re-read the
        location(s) concerned and send once more. Returns the number of calls."""
        document = document_for("inventory_set", client.api_version)
        try:
            client.mutate(document, self._batch_variables(backend, client.api_version, entries), PAYLOAD_KEY)
            return 1
        except UserInputError as error:
            stale_maps = self._stale_maps(error, entries)
            if not stale_maps:
                raise
        for location_map in stale_maps:
            available = self._read_location_levels(client, location_map)
            now = fields.Datetime.now()
            for entry in entries:
                if entry["map"] != location_map:
                    continue
                current = available.get(entry["binding"].inventory_item_id)
                entry["known"] = current
                if current is not None:
                    entry["level"] = self._upsert(
                        entry["binding"],
                        location_map,
                        {"shopify_available": current, "shopify_updated_at": now},
                        level=entry["level"],
                    )
        client.mutate(document, self._batch_variables(backend, client.api_version, entries), PAYLOAD_KEY)
        return 2

    @api.model
    def _stale_maps(self, error, entries):
        """Location maps of the quantities Shopify found stale (all of the batch if it does not say which)."""
        user_errors = (getattr(error, "details", None) or {}).get("userErrors") or []
        stale = [user_error for user_error in user_errors if user_error.get("code") in STALE_CODES]
        if not stale:
            return []
        maps = []
        for user_error in stale:
            indexes = [int(part) for part in user_error.get("field") or [] if _QUANTITY_INDEX_RE.match(str(part))]
            if not indexes or indexes[0] >= len(entries):
                return list(dict.fromkeys(entry["map"] for entry in entries))
            maps.append(entries[indexes[0]]["map"])
        return list(dict.fromkeys(maps))

    # ------------------------------------------------------------------
    # Webhook and reconcile
    # ------------------------------------------------------------------
    @api.model
    def _apply_inventory_webhook(self, backend, event):
        """inventory_levels/update: our own echo is skipped; anything else is
        recorded and Odoo's quantity is pushed again (Odoo is the master)."""
        data = normalize.inventory_level_from_rest(event.payload)
        external_id = f"{data['inventory_item_id']}@{data['location_id']}"
        with self.env["retail.sync.log"]._track(
            backend, "webhook", "inventory_level", external_id=external_id, correlation_id=event.event_id
        ) as run:
            binding = self.env["shopify.product.binding"].search(
                [("backend_id", "=", backend.id), ("inventory_item_id", "=", data["inventory_item_id"])], limit=1
            )
            location_map = backend.shopify_location_map_ids.filtered(
                lambda m: m.shopify_location_id == data["location_id"]
            )[:1]
            if not binding or not location_map:
                run.skip("variant not bound or location not mapped")
                return run.result
            run.record = binding.odoo_id
            run.external_updated_at = data["updated_at"]
            level = self.search([("binding_id", "=", binding.id), ("location_map_id", "=", location_map.id)], limit=1)
            if level.last_sent_at and data["available"] == level.last_sent_qty:
                run.skip(f"echo of Odoo's own update ({data['available']})")
                return run.result
            if level.shopify_updated_at and data["updated_at"] and data["updated_at"] < level.shopify_updated_at:
                run.skip("older than the level already known")
                return run.result
            self._upsert(
                binding,
                location_map,
                {
                    "shopify_available": data["available"],
                    "shopify_updated_at": data["updated_at"] or fields.Datetime.now(),
                },
                level=level,
            )
            binding.stock_dirty = True
            backend._schedule_export("stock")
            run.message = (
                f"{binding.sku or binding.external_id} at {location_map.display_name}: Shopify shows "
                f"{data['available']}, Odoo last sent {level.last_sent_qty if level.last_sent_at else 'nothing'}; "
                "Odoo's quantity will be pushed"
            )
        return run.result

    @api.model
    def _reconcile(self, backend):
        """Compare every mapped location with Odoo, report drift, push Odoo's quantities for it."""
        client = backend._shopify_client()
        bindings = self.env["shopify.product.binding"].search(
            [("backend_id", "=", backend.id), ("inventory_item_id", "!=", False)]
        )
        location_maps = backend.shopify_location_map_ids.filtered("export_stock")
        levels = self._levels_for(bindings, location_maps)
        now = fields.Datetime.now()
        drifted, lines, compared = [], [], 0
        for location_map in location_maps:
            available = self._read_location_levels(client, location_map)
            quantities = self._odoo_quantities(backend, bindings, location_map.location_id)
            for binding in bindings:
                shopify_qty = available.get(binding.inventory_item_id)
                if shopify_qty is None:
                    continue  # not stocked at this Shopify location
                compared += 1
                level = self._upsert(
                    binding,
                    location_map,
                    {"shopify_available": shopify_qty, "shopify_updated_at": now},
                    level=levels.get((binding.id, location_map.id)),
                )
                odoo_qty = quantities[binding.odoo_id.id]
                if binding.stock_dirty or shopify_qty == odoo_qty:
                    continue  # equal, or a pending export sends it anyway
                drifted.append(
                    {
                        "binding": binding,
                        "map": location_map,
                        "quantity": odoo_qty,
                        "known": shopify_qty,
                        "level": level,
                    }
                )
                lines.append(
                    f"{binding.sku or binding.external_id} at {location_map.display_name}: "
                    f"Shopify {shopify_qty}, Odoo {odoo_qty}"
                )
        exceptions = self.env["retail.exception"]
        key = "shopify_stock_drift"
        if not drifted:
            exceptions._resolve_key(key, backend=backend, note="The daily reconcile found no drift.")
            return f"compared {compared} levels: no drift"
        exceptions._report(
            "shopify_stock_drift",
            key=key,
            backend=backend,
            message=f"{len(drifted)} stock level(s) differed in Shopify; Odoo's quantities were pushed:\n"
            + "\n".join(lines),
        )
        calls = self._send_entries(backend, drifted)
        return f"compared {compared} levels: {len(drifted)} drifted, pushed in {calls} call(s)"
