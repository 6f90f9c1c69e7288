"""Plain-Python tests for lib.masking (no database needed)."""

from odoo.addons.retail_connector_base.lib import masking


def test_mask_text_masks_email_keeping_first_letters_and_tld():
    text = "Customer john.doe@example.com complained"
    assert masking.mask_text(text) == "Customer j***@e***.com complained"


def test_mask_text_masks_international_phone_keeping_last_two_digits():
    assert masking.mask_text("call +1 (555) 123-4567 now") == "call ***67 now"
    assert masking.mask_text("tel: 06 12 34 56 78") == "tel: ***78"


def test_mask_text_keeps_small_amounts_and_order_numbers():
    text = "Order #1001 total 1234.50 EUR, 3 items"
    assert masking.mask_text(text) == text


def test_mask_text_keeps_iso_dates():
    text = "Shipped on 2024-01-15"
    assert masking.mask_text(text) == text


def test_mask_text_keeps_large_amounts_and_ids():
    text = "Total 12345.67 EUR, qty 1000000, order #1001234, gid 5678901234567, at 2024-01-15 10:00:00"
    assert masking.mask_text(text) == text


def test_mask_text_masks_street_addresses():
    assert masking.mask_text("Ship to 123 Main Street, Springfield") == "Ship to ***, Springfield"
    assert masking.mask_text("42B Old Mill Rd. apt 3") == "*** apt 3"


def test_mask_text_passes_through_empty_values():
    assert masking.mask_text("") == ""
    assert masking.mask_text(None) is None


def test_mask_payload_masks_pii_keys_recursively_and_keeps_other_keys():
    payload = {
        "id": 450789469,
        "name": "#1001",
        "total_price": "1234.50",
        "created_at": "2024-01-15T10:00:00-05:00",
        "Email": "jane@example.com",
        "customer": {
            "id": 207119551,
            "first_name": "Jane",
            "last_name": "Doe",
            "phone": "+16135551111",
            "default_address": {"address1": "1 Rue des Carrieres", "zip": 75001, "city": "Paris"},
        },
        "line_items": [{"sku": "MUG-1", "quantity": 2, "price": "9.90"}],
    }
    assert masking.mask_payload(payload) == {
        "id": 450789469,
        "name": "#1001",
        "total_price": "1234.50",
        "created_at": "2024-01-15T10:00:00-05:00",
        "Email": "***",
        "customer": {
            "id": 207119551,
            "first_name": "***",
            "last_name": "***",
            "phone": "***",
            "default_address": {"address1": "***", "zip": "***", "city": "Paris"},
        },
        "line_items": [{"sku": "MUG-1", "quantity": 2, "price": "9.90"}],
    }


def test_mask_payload_masks_free_text_values_and_leaves_empty_pii_values():
    payload = {"note": "Call me at +44 20 7946 0958", "phone": None, "email": "", "tags": ["vip", "a@b.io"]}
    assert masking.mask_payload(payload) == {
        "note": "Call me at ***58",
        "phone": None,
        "email": "",
        "tags": ["vip", "a***@b***.io"],
    }


def test_mask_payload_does_not_mutate_input():
    payload = {"customer": {"email": "jane@example.com"}}
    masking.mask_payload(payload)
    assert payload == {"customer": {"email": "jane@example.com"}}


def test_mask_text_masks_european_street_addresses():
    assert masking.mask_text("12 Rue de la Paix") == "***"
    assert masking.mask_text("Hauptstrasse 5, Berlin") == "***, Berlin"


def test_mask_payload_masks_names_of_people_not_orders():
    payload = {"name": "#1001", "shipping_address": {"name": "Jane Roe", "city": "Ottawa"}}
    assert masking.mask_payload(payload) == {"name": "#1001", "shipping_address": {"name": "***", "city": "Ottawa"}}
