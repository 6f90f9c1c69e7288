"""REST-shaped bodies, as Shopify's webhooks carry them (money as strings).

Key names follow Shopify's REST Admin resources (order, refund, fulfillment,
inventory_level); only what a connector reads is filled in.
"""

from decimal import Decimal

from .generator import fmt, line_items_by_id, order_totals, to_presentment


def gid(kind, resource_id):
    return f"gid://shopify/{kind}/{resource_id}"


def _int(value):
    return int(value) if value not in (None, "") else None


def money_set(order, amount):
    return {
        "shop_money": {"amount": fmt(amount), "currency_code": order["currency"]},
        "presentment_money": {
            "amount": fmt(to_presentment(order, amount)),
            "currency_code": order["presentment_currency"],
        },
    }


def _tax_lines(order, taxes):
    return [
        {
            "title": tax["title"],
            "rate": float(tax["rate"]),
            "price": fmt(tax["price"]),
            "price_set": money_set(order, tax["price"]),
            "channel_liable": False,
        }
        for tax in taxes
    ]


def _discounts(order, amount):
    amount = Decimal(amount)
    if not amount:
        return []
    return [{"amount": fmt(amount), "amount_set": money_set(order, amount), "discount_application_index": 0}]


def _address(address):
    if not address:
        return None
    return {key: address.get(key) for key in address}


def rest_line_item(order, line):
    fulfilled = sum(
        entry["quantity"]
        for fulfillment in order["fulfillments"]
        for entry in fulfillment["lines"]
        if entry["line_item_id"] == line["id"]
    )
    return {
        "id": _int(line["id"]),
        "admin_graphql_api_id": gid("LineItem", line["id"]),
        "variant_id": _int(line["variant_id"]),
        "product_id": _int(line["product_id"]),
        "sku": line["sku"],
        "title": line["title"],
        "variant_title": line["variant_title"],
        "name": line["title"] + (f" - {line['variant_title']}" if line["variant_title"] else ""),
        "quantity": line["quantity"],
        "current_quantity": line["current_quantity"],
        "fulfillable_quantity": max(line["current_quantity"] - fulfilled, 0),
        "fulfillment_status": "fulfilled" if fulfilled and fulfilled >= line["current_quantity"] else None,
        "requires_shipping": line["requires_shipping"],
        "taxable": bool(line["tax_lines"]),
        "gift_card": False,
        "product_exists": line["variant_id"] is not None,
        "price": fmt(line["price"]),
        "price_set": money_set(order, line["price"]),
        "total_discount": fmt(line["discount"]),
        "total_discount_set": money_set(order, line["discount"]),
        "discount_allocations": _discounts(order, line["discount"]),
        "tax_lines": _tax_lines(order, line["tax_lines"]),
        "duties": [],
        "properties": [],
    }


def rest_refund(order, refund):
    by_id = {line["id"]: line for line in order["line_items"]}
    transactions = [tx for tx in order["transactions"] if tx["id"] in refund["transaction_ids"]]
    shipping = refund.get("shipping")
    return {
        "id": _int(refund["id"]),
        "admin_graphql_api_id": gid("Refund", refund["id"]),
        "order_id": _int(order["id"]),
        "created_at": refund["created_at"],
        "processed_at": refund["created_at"],
        "note": refund["note"],
        "restock": any(line["restock_type"] in ("RETURN", "CANCEL") for line in refund["lines"]),
        "refund_line_items": [
            {
                "id": _int(line["id"]),
                "line_item_id": _int(line["line_item_id"]),
                "quantity": line["quantity"],
                "restock_type": line["restock_type"].lower(),
                "location_id": _int(line.get("location_id")),
                "subtotal": float(line["subtotal"]),
                "total_tax": float(line["tax"]),
                "subtotal_set": money_set(order, line["subtotal"]),
                "total_tax_set": money_set(order, line["tax"]),
                "line_item": rest_line_item(order, by_id[line["line_item_id"]]),
            }
            for line in refund["lines"]
        ],
        "refund_shipping_lines": (
            [
                {
                    "id": _int(shipping["id"]),
                    "shipping_line_id": _int(order["shipping_lines"][0]["id"]) if order["shipping_lines"] else None,
                    "subtotal_amount_set": money_set(order, shipping["amount"]),
                    "tax_amount_set": money_set(order, shipping["tax"]),
                }
            ]
            if shipping
            else []
        ),
        "order_adjustments": [],
        "transactions": [rest_transaction(order, tx) for tx in transactions],
        "duties": [],
        **_refund_return(refund),
    }


def rest_transaction(order, tx):
    return {
        "id": _int(tx["id"]),
        "admin_graphql_api_id": gid("OrderTransaction", tx["id"]),
        "order_id": _int(order["id"]),
        "kind": tx["kind"].lower(),
        "status": tx["status"].lower(),
        "gateway": tx["gateway"],
        "amount": fmt(tx["amount"]),
        "currency": order["currency"],
        "authorization": tx["authorization"],
        "parent_id": _int(tx["parent_id"]),
        "processed_at": tx["processed_at"],
        "created_at": tx["created_at"],
        "test": False,
    }


def rest_fulfillment(order, fulfillment):
    by_id = line_items_by_id(order)
    lines = []
    for entry in fulfillment["lines"]:
        line = rest_line_item(order, by_id[entry["line_item_id"]])
        line["quantity"] = entry["quantity"]
        lines.append(line)
    return {
        "id": _int(fulfillment["id"]),
        "admin_graphql_api_id": gid("Fulfillment", fulfillment["id"]),
        "order_id": _int(order["id"]),
        "name": fulfillment["name"],
        "status": fulfillment["status"].lower(),
        "location_id": _int(fulfillment["location_id"]),
        "service": "manual",
        "shipment_status": None,
        "tracking_company": fulfillment["tracking_company"],
        "tracking_number": fulfillment["tracking_number"],
        "tracking_numbers": [fulfillment["tracking_number"]] if fulfillment["tracking_number"] else [],
        "tracking_url": fulfillment["tracking_url"],
        "tracking_urls": [fulfillment["tracking_url"]] if fulfillment["tracking_url"] else [],
        "line_items": lines,
        "created_at": fulfillment["created_at"],
        "updated_at": fulfillment["updated_at"],
    }


def rest_order(order):
    totals = order_totals(order)
    customer = order.get("customer")
    return {
        "id": _int(order["id"]),
        "admin_graphql_api_id": gid("Order", order["id"]),
        "name": order["name"],
        "number": order["number"] - 1000,
        "order_number": order["number"],
        "email": order["email"],
        "contact_email": order["email"],
        "phone": order["phone"],
        "note": order["note"],
        "tags": ", ".join(order["tags"]),
        "source_name": order["source_name"],
        "created_at": order["created_at"],
        "updated_at": order["updated_at"],
        "processed_at": order["processed_at"],
        "cancelled_at": order["cancelled_at"],
        "cancel_reason": order["cancel_reason"].lower() if order["cancel_reason"] else None,
        "closed_at": order["updated_at"] if order["closed"] else None,
        "test": order["test"],
        "currency": order["currency"],
        "presentment_currency": order["presentment_currency"],
        "financial_status": order["financial_status"].lower() if order["financial_status"] else None,
        "fulfillment_status": {"FULFILLED": "fulfilled", "PARTIALLY_FULFILLED": "partial"}.get(
            order["fulfillment_status"]
        ),
        "taxes_included": order["taxes_included"],
        "total_price": fmt(totals["original_total"]),
        "total_price_set": money_set(order, totals["original_total"]),
        "subtotal_price": fmt(totals["original_subtotal"]),
        "subtotal_price_set": money_set(order, totals["original_subtotal"]),
        "total_tax": fmt(totals["original_tax"]),
        "total_tax_set": money_set(order, totals["original_tax"]),
        "total_discounts": fmt(totals["discounts"]),
        "total_discounts_set": money_set(order, totals["discounts"]),
        "total_shipping_price_set": money_set(order, totals["original_shipping"]),
        "current_total_price": fmt(totals["total"]),
        "current_total_price_set": money_set(order, totals["total"]),
        "current_subtotal_price": fmt(totals["subtotal"]),
        "current_subtotal_price_set": money_set(order, totals["subtotal"]),
        "current_total_tax": fmt(totals["tax"]),
        "current_total_tax_set": money_set(order, totals["tax"]),
        "current_total_discounts": fmt(totals["discounts"]),
        "current_total_discounts_set": money_set(order, totals["discounts"]),
        "payment_gateway_names": sorted({tx["gateway"] for tx in order["transactions"] if tx["gateway"]}),
        "line_items": [rest_line_item(order, line) for line in order["line_items"]],
        "shipping_lines": [
            {
                "id": _int(ship["id"]),
                "title": ship["title"],
                "code": ship["code"],
                "source": "shopify",
                "price": fmt(ship["price"]),
                "price_set": money_set(order, ship["price"]),
                "discounted_price": fmt(Decimal(ship["price"]) - Decimal(ship["discount"])),
                "discounted_price_set": money_set(order, Decimal(ship["price"]) - Decimal(ship["discount"])),
                "discount_allocations": _discounts(order, ship["discount"]),
                "tax_lines": _tax_lines(order, ship["tax_lines"]),
                "is_removed": False,
            }
            for ship in order["shipping_lines"]
        ],
        "tax_lines": _order_tax_lines(order),
        "billing_address": _address(order["billing_address"]),
        "shipping_address": _address(order["shipping_address"]),
        "customer": (
            {
                "id": _int(customer["id"]),
                "admin_graphql_api_id": gid("Customer", customer["id"]),
                "email": customer["email"],
                "phone": customer["phone"],
                "first_name": customer["first_name"],
                "last_name": customer["last_name"],
            }
            if customer
            else None
        ),
        "refunds": [rest_refund(order, refund) for refund in order["refunds"]],
        "fulfillments": [rest_fulfillment(order, fulfillment) for fulfillment in order["fulfillments"]],
    }


def _order_tax_lines(order):
    summed = {}
    for line in order["line_items"] + order["shipping_lines"]:
        for tax in line["tax_lines"]:
            key = (tax["title"], tax["rate"])
            summed[key] = summed.get(key, Decimal(0)) + Decimal(tax["price"])
    return _tax_lines(order, [{"title": t, "rate": r, "price": amount} for (t, r), amount in summed.items()])


def rest_inventory_level(item_id, location_id, level):
    return {
        "inventory_item_id": _int(item_id),
        "location_id": _int(location_id),
        "available": level["available"],
        "updated_at": level["updated_at"],
        "admin_graphql_api_id": f"gid://shopify/InventoryLevel/{location_id}?inventory_item_id={item_id}",
    }


def rest_product(product):
    """A product as products/create and products/update deliver it."""
    updated = max((variant["updated_at"] for variant in product["variants"]), default=None)
    return {
        "id": _int(product["id"]),
        "admin_graphql_api_id": gid("Product", product["id"]),
        "title": product["title"],
        "status": product["status"].lower(),
        "updated_at": product.get("updated_at") or updated,
        "variants": [
            {
                "id": _int(variant["id"]),
                "admin_graphql_api_id": gid("ProductVariant", variant["id"]),
                "product_id": _int(product["id"]),
                "title": variant["title"],
                "sku": variant["sku"],
                "barcode": variant["barcode"],
                "price": variant["price"],
                "position": position,
                "inventory_item_id": _int(variant["inventory_item_id"]),
                "inventory_management": "shopify" if variant["tracked"] else None,
                "updated_at": variant["updated_at"],
            }
            for position, variant in enumerate(product["variants"], start=1)
        ],
    }


def rest_customer(customer):
    """A customer as customers/update delivers it."""
    return {
        "id": _int(customer["id"]),
        "admin_graphql_api_id": gid("Customer", customer["id"]),
        "email": customer.get("email"),
        "phone": customer.get("phone"),
        "first_name": customer.get("first_name"),
        "last_name": customer.get("last_name"),
        "updated_at": customer.get("updated_at"),
    }


def rest_fulfillment_order_moved(original, moved, source_location_id):
    """fulfillment_orders/moved: the fulfilment order closed and the one opened at the new
    location (their order is not named: it is read through the API)."""
    return {
        "original_fulfillment_order": {
            "id": gid("FulfillmentOrder", original["id"]),
            "status": original["status"].lower(),
            "assigned_location_id": gid("Location", source_location_id),
        },
        "moved_fulfillment_order": {
            "id": gid("FulfillmentOrder", moved["id"]),
            "status": moved["status"].lower(),
            "assigned_location_id": gid("Location", moved["location_id"]),
        },
        "destination_location_id": gid("Location", moved["location_id"]),
        "fulfillment_order_line_items_requested": [
            {"id": gid("FulfillmentOrderLineItem", line["id"]), "quantity": line["remaining"]}
            for line in moved["line_items"]
        ],
        "source_location": {"id": gid("Location", source_location_id)},
    }


def rest_fulfillment_order_hold(fulfillment_order, hold=None):
    """fulfillment_orders/placed_on_hold (``hold``: (reason, notes)), hold_released or
    order_routing_complete: the fulfilment order and its status."""
    body = {
        "fulfillment_order": {
            "id": gid("FulfillmentOrder", fulfillment_order["id"]),
            "status": fulfillment_order["status"].lower(),
        }
    }
    if hold:
        reason, notes = hold
        body["fulfillment_hold"] = {"reason": reason.lower(), "reason_notes": notes}
    return body


def rest_privacy_request(shop, topic, customer=None, order_ids=(), request_id=None):
    """A compliance webhook body (customers/data_request, customers/redact, shop/redact)."""
    body = {"shop_id": _int(shop["id"]), "shop_domain": shop["domain"]}
    if customer is not None:
        body["customer"] = {"id": _int(customer["id"]), "email": customer.get("email"), "phone": customer.get("phone")}
        key = "orders_requested" if topic == "customers/data_request" else "orders_to_redact"
        body[key] = [_int(order_id) for order_id in order_ids]
    if topic == "customers/data_request":
        body["data_request"] = {"id": request_id}
    return body


def rest_app_uninstalled(shop):
    return {
        "id": _int(shop["id"]),
        "name": shop["name"],
        "domain": shop["domain"],
        "myshopify_domain": shop["domain"],
        "currency": shop["currency"],
        "iana_timezone": shop["timezone"],
    }


# ---------------------------------------------------------------- returns (retail_returns_sync)


def _refund_return(refund):
    """The ``return`` key of a refund made for a return (absent otherwise)."""
    if not refund.get("return_id"):
        return {}
    return {"return": {"id": _int(refund["return_id"]), "admin_graphql_api_id": gid("Return", refund["return_id"])}}


def rest_return(order, ret, full=True):
    """A returns/* webhook body. returns/request carries the lines; the other topics
    (approve, decline, cancel, close, reopen) only the id, the order and the status
    unless ``full``."""
    body = {
        "id": _int(ret["id"]),
        "admin_graphql_api_id": gid("Return", ret["id"]),
        "status": ret["status"].lower(),
        "order": {"id": _int(order["id"]), "admin_graphql_api_id": gid("Order", order["id"])},
    }
    if ret.get("decline"):
        body["decline"] = {"reason": ret["decline"]["reason"].lower(), "note": ret["decline"].get("note")}
    if not full:
        return body
    by_id = line_items_by_id(order)  # an exchange item can be returned too
    body.update(
        {
            "name": ret["name"],
            "total_return_line_items": sum(line["quantity"] for line in ret["lines"]),
            "return_line_items": [
                {
                    "id": _int(line["id"]),
                    "admin_graphql_api_id": gid("ReturnLineItem", line["id"]),
                    "fulfillment_line_item": {
                        "id": _int(line["fulfillment_line_id"]),
                        "admin_graphql_api_id": gid("FulfillmentLineItem", line["fulfillment_line_id"]),
                        "line_item": {
                            "id": _int(line["line_item_id"]),
                            "admin_graphql_api_id": gid("LineItem", line["line_item_id"]),
                            "sku": by_id[line["line_item_id"]]["sku"],
                        },
                    },
                    "quantity": line["quantity"],
                    "return_reason": line["reason"].lower(),
                    "return_reason_note": line.get("reason_note") or "",
                    "customer_note": line.get("customer_note"),
                }
                for line in ret["lines"]
            ],
            "exchange_line_items": [
                {
                    "id": _int(item["id"]),
                    "admin_graphql_api_id": gid("ExchangeLineItem", item["id"]),
                    "line_item": rest_line_item(order, item["line"]),
                }
                for item in ret.get("exchange_lines") or []
            ],
            "total_exchange_line_items": sum(item["line"]["quantity"] for item in ret.get("exchange_lines") or []),
        }
    )
    return body
