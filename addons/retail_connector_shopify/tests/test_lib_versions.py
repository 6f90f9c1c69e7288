"""Plain-Python tests for lib.versions."""

import unittest

from odoo.addons.retail_connector_shopify.lib import documents, versions


class TestVersions(unittest.TestCase):
    def test_constants(self):
        self.assertEqual(versions.DEFAULT_VERSION, "2026-07")
        self.assertEqual(versions.SUPPORTED_VERSIONS[0], "2025-01")
        self.assertIn(versions.DEFAULT_VERSION, versions.SUPPORTED_VERSIONS)
        self.assertEqual(list(versions.SUPPORTED_VERSIONS), sorted(versions.SUPPORTED_VERSIONS))

    def test_idempotency_and_change_from_quantity(self):
        older = ("2025-01", "2025-04", "2025-07", "2025-10", "2026-01")
        for version in versions.SUPPORTED_VERSIONS:
            with self.subTest(version):
                expected = version not in older
                self.assertEqual(versions.requires_idempotency(version), expected)
                self.assertEqual(versions.uses_change_from_quantity(version), expected)

    def test_document_for(self):
        self.assertEqual(versions.document_for("inventory_set", "2026-04"), "inventory_set")
        self.assertEqual(versions.document_for("inventory_set", "2026-01"), "inventory_set_2025_01")
        self.assertEqual(versions.document_for("refund_create", "2026-07"), "refund_create")
        self.assertEqual(versions.document_for("refund_create", "2025-01"), "refund_create_2025_01")
        self.assertEqual(versions.document_for("orders", "2025-01"), "orders")
        for kind in ("inventory_set", "refund_create"):
            for version in versions.SUPPORTED_VERSIONS:
                self.assertIn(versions.document_for(kind, version), documents.names())

    def test_unsupported_version(self):
        for bad in ("2024-10", "2026-13", "unstable", None):
            with self.subTest(bad), self.assertRaises(ValueError):
                versions.requires_idempotency(bad)
        with self.assertRaises(ValueError):
            versions.document_for("orders", "2024-01")
