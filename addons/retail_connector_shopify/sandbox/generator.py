"""A deterministic fake Shopify store: locations, catalogue, stock and orders.

The state is a plain JSON-able dict (money as strings in the SHOP currency;
presentment amounts are derived with the order's fixed ``rate``). Totals are
always recomputed from the lines by :func:`order_totals`, so they are exactly
consistent: current total = Σ(unit price x current quantity - line discount)
+ Σ(shipping price - shipping discount) - refunded shipping + taxes (unless
taxes are included in the prices), every tax line rounded to cents.
"""

import random
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
SHOP_DOMAIN = "sandbox-shop.myshopify.com"
#: taxes of orders placed in the shop currency: added on top of the prices
US_TAXES = (("State Tax", "0.0725"),)
US_EXTRA_TAX = ("County Tax", "0.0125")
#: taxes of orders placed in EUR: included in the prices
EU_TAXES = (("VAT", "0.2"),)
#: the planted tax nobody maps
UNMAPPED_TAX = ("Luxury Tax", "0.05")
UNKNOWN_SKU = "UNKNOWN-SKU-1"
EUR_RATE = "0.92"
GATEWAYS = ("shopify_payments", "paypal", "manual")
ACCESS_SCOPES = (
    "read_orders",
    "write_orders",
    "read_customers",
    "read_products",
    "read_inventory",
    "write_inventory",
    "read_locations",
    "read_merchant_managed_fulfillment_orders",
    "write_merchant_managed_fulfillment_orders",
    "read_returns",
    "write_returns",
)
_PRODUCT_NAMES = (
    "Cotton T-Shirt",
    "Wool Sweater",
    "Canvas Tote",
    "Leather Belt",
    "Running Shoes",
    "Rain Jacket",
    "Denim Jeans",
    "Silk Scarf",
    "Baseball Cap",
    "Hiking Socks",
    "Linen Shirt",
    "Travel Mug",
)
_SIZES = ("S", "M", "L")
_PEOPLE = (
    ("Ada", "Lovelace"),
    ("Alan", "Turing"),
    ("Grace", "Hopper"),
    ("Edsger", "Dijkstra"),
    ("Barbara", "Liskov"),
    ("Donald", "Knuth"),
    ("Margaret", "Hamilton"),
    ("Ken", "Thompson"),
)
#: what happens to order number i (i % 12): enough variety in a dozen orders
_SCENARIOS = {
    1: "fulfilled",
    3: "pending",
    4: "risk_investigate",
    5: "partial_refund",
    6: "fulfilled",
    7: "cancelled",
    8: "refunded",
    9: "risk_cancel",
    10: "partially_fulfilled",
    11: "authorized",
}
BASE_TIME = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def money(value):
    return Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)


def fmt(value):
    return str(money(value))


def iso(moment):
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def next_id(state):
    state["next_id"] += 1
    return str(state["next_id"])


def tax_amount(net, rate, included):
    """One tax line on ``net`` (a line's or shipping's discounted amount), in cents."""
    net, rate = Decimal(str(net)), Decimal(str(rate))
    return money(net * rate / (1 + rate)) if included else money(net * rate)


def line_net(line, quantity=None):
    """Discounted amount of ``quantity`` units (default: the current quantity)."""
    quantity = line["current_quantity"] if quantity is None else quantity
    discount = Decimal(line["discount"])
    if quantity != line["quantity"]:
        discount = money(discount * quantity / line["quantity"]) if line["quantity"] else Decimal(0)
    return money(Decimal(line["price"]) * quantity - discount), discount


def line_current_tax(line, included, quantity=None):
    net, _discount = line_net(line, quantity)
    return sum((tax_amount(net, tax["rate"], included) for tax in line["tax_lines"]), Decimal(0))


def order_totals(order):
    """Every total of ``order`` (Decimal, shop currency), from its lines."""
    included = order["taxes_included"]
    subtotal = discounts = tax = original_subtotal = original_tax = Decimal(0)
    for line in order["line_items"]:
        net, discount = line_net(line)
        subtotal += net
        discounts += discount
        tax += line_current_tax(line, included)
        original_net, _d = line_net(line, line["quantity"])
        original_subtotal += original_net
        original_tax += sum((Decimal(t["price"]) for t in line["tax_lines"]), Decimal(0))
    shipping = original_shipping = Decimal(0)
    for ship in order["shipping_lines"]:
        net = Decimal(ship["price"]) - Decimal(ship["discount"])
        shipping += net
        original_shipping += net
        discounts += Decimal(ship["discount"])
        ship_tax = sum((Decimal(t["price"]) for t in ship["tax_lines"]), Decimal(0))
        tax += ship_tax
        original_tax += ship_tax
    for refund in order["refunds"]:
        if refund.get("shipping"):
            # the refund's shipping amount excludes tax; included-tax shipping prices contain it
            refunded_tax = Decimal(refund["shipping"]["tax"])
            shipping -= Decimal(refund["shipping"]["amount"]) + (refunded_tax if included else Decimal(0))
            tax -= refunded_tax
    total = subtotal + shipping + (Decimal(0) if included else tax)
    original_total = original_subtotal + original_shipping + (Decimal(0) if included else original_tax)
    refunded = sum(
        (Decimal(tx["amount"]) for tx in order["transactions"] if tx["kind"] == "REFUND" and tx["status"] == "SUCCESS"),
        Decimal(0),
    )
    return {
        "subtotal": money(subtotal),
        "shipping": money(shipping),
        "tax": money(tax),
        "discounts": money(discounts),
        "total": money(total),
        "original_total": money(original_total),
        "original_subtotal": money(original_subtotal),
        "original_tax": money(original_tax),
        "original_shipping": money(original_shipping),
        "refunded": money(refunded),
    }


def line_value(line, quantity, included):
    """What ``quantity`` units of ``line`` cost the customer (tax included)."""
    net, _discount = line_net(line, quantity)
    return net if included else net + line_current_tax(line, included, quantity)


def outstanding(order):
    """What the customer still owes (Shopify's totalOutstandingSet): the current total with
    the balance of processed exchanges, less what was paid net of refunds; never negative."""
    if order.get("cancelled_at"):
        return Decimal(0)
    paid = sum(
        (
            Decimal(tx["amount"])
            for tx in order["transactions"]
            if tx["kind"] in ("SALE", "CAPTURE") and tx["status"] == "SUCCESS"
        ),
        Decimal(0),
    )
    totals = order_totals(order)
    owed = totals["total"] + Decimal(order.get("exchange_balance") or 0) - (paid - totals["refunded"])
    return money(max(owed, Decimal(0)))


def to_presentment(order, amount):
    return money(Decimal(str(amount)) * Decimal(order.get("rate") or "1"))


def _barcode(number):
    digits = f"20{number:010d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def _address(rng, first, last, europe):
    if europe:
        city, zip_code, province, province_code, country, code = ("Lyon", "69002", None, None, "France", "FR")
        street = f"{rng.randint(1, 99)} Rue de la République"
        phone = f"+33 4 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    else:
        city, zip_code, province, province_code, country, code = (
            "Louisville",
            "40202",
            "Kentucky",
            "KY",
            "United States",
            "US",
        )
        street = f"{rng.randint(10, 999)} Chestnut Street"
        phone = f"+1 502-555-{rng.randint(1000, 9999)}"
    return {
        "name": f"{first} {last}",
        "first_name": first,
        "last_name": last,
        "company": None,
        "address1": street,
        "address2": None,
        "city": city,
        "zip": zip_code,
        "province": province,
        "province_code": province_code,
        "country": country,
        "country_code": code,
        "phone": phone,
    }


def _catalogue(state, rng, products):
    locations = [location["id"] for location in state["locations"]]
    for index in range(products):
        product_id = next_id(state)
        name = _PRODUCT_NAMES[index % len(_PRODUCT_NAMES)]
        if index >= len(_PRODUCT_NAMES):
            name = f"{name} {index // len(_PRODUCT_NAMES) + 1}"
        sizes = _SIZES[: rng.choice((1, 2, 3))]
        product = {"id": product_id, "title": name, "status": "ACTIVE", "variants": []}
        base_price = Decimal(rng.randrange(900, 12000, 50)) / 100
        for position, size in enumerate(sizes, start=1):
            variant_id, item_id = next_id(state), next_id(state)
            product["variants"].append(
                {
                    "id": variant_id,
                    "product_id": product_id,
                    "title": size if len(sizes) > 1 else "Default Title",
                    "sku": f"SKU-{index + 1:04d}-{position}",
                    "barcode": _barcode(int(variant_id) % 10**10),
                    "price": fmt(base_price + (position - 1)),
                    "inventory_item_id": item_id,
                    "tracked": True,
                    "updated_at": iso(BASE_TIME - timedelta(days=30, minutes=index)),
                }
            )
            state["inventory"][item_id] = {
                location: {"available": rng.randint(0, 40), "updated_at": iso(BASE_TIME - timedelta(days=30))}
                for location in locations
            }
        state["products"].append(product)


def _make_line(state, variant, product, quantity, discount, taxes, included):
    line = {
        "id": next_id(state),
        "variant_id": variant["id"] if variant else None,
        "product_id": product["id"] if product else None,
        "sku": variant["sku"] if variant else UNKNOWN_SKU,
        "title": product["title"] if product else "Mystery Item",
        "variant_title": (variant["title"] if variant and variant["title"] != "Default Title" else None),
        "quantity": quantity,
        "current_quantity": quantity,
        "requires_shipping": True,
        "price": variant["price"] if variant else "15.00",
        "discount": fmt(discount),
        "tax_lines": [],
    }
    net, _d = line_net(line)
    line["tax_lines"] = [
        {"title": title, "rate": rate, "price": fmt(tax_amount(net, rate, included))} for title, rate in taxes
    ]
    return line


def _transaction(state, order, kind, status, gateway, amount, parent=None, when=None):
    tx_id = next_id(state)
    transaction = {
        "id": tx_id,
        "kind": kind,
        "status": status,
        "gateway": gateway,
        "amount": fmt(amount),
        "authorization": None if gateway == "manual" else f"{int(tx_id) % 100000:05d}",
        "payment_id": f"c{order['id']}.{len(order['transactions']) + 1}",
        "parent_id": parent["id"] if parent else None,
        "processed_at": when or order["processed_at"],
        "created_at": when or order["processed_at"],
    }
    order["transactions"].append(transaction)
    return transaction


def add_sale(state, order, gateway, amount, when=None):
    """A successful sale transaction of ``amount`` on ``order`` (money collected after the order)."""
    return _transaction(state, order, "SALE", "SUCCESS", gateway, money(amount), when=when)


def add_refund(state, order, lines, shipping_full=False, shipping_amount=None, note=None, restock="RETURN", when=None):
    """Record a refund of ``lines`` [(line id, quantity)] and its transaction."""
    when = when or order["updated_at"]
    included = order["taxes_included"]
    by_id = {line["id"]: line for line in order["line_items"]}
    refund = {
        "id": next_id(state),
        "created_at": when,
        "updated_at": when,
        "note": note,
        "lines": [],
        "shipping": None,
        "adjustments": [],
        "transaction_ids": [],
    }
    total = Decimal(0)
    for line_id, quantity in lines:
        line = by_id[line_id]
        before_net, _d = line_net(line)
        before_tax = line_current_tax(line, included)
        line["current_quantity"] -= quantity
        after_net, _d = line_net(line)
        # the refund takes exactly what the current totals lose: nothing is lost to rounding
        subtotal, tax = before_net - after_net, before_tax - line_current_tax(line, included)
        refund["lines"].append(
            {
                "id": next_id(state),
                "line_item_id": line_id,
                "quantity": quantity,
                "restock_type": restock,
                "location_id": None,
                "subtotal": fmt(subtotal),
                "tax": fmt(tax),
            }
        )
        total += subtotal + (Decimal(0) if included else tax)
    if shipping_full or shipping_amount:
        already = sum((Decimal(r["shipping"]["amount"]) for r in order["refunds"] if r.get("shipping")), Decimal(0))
        available = sum((Decimal(s["price"]) - Decimal(s["discount"]) for s in order["shipping_lines"]), Decimal(0))
        amount = available - already if shipping_full else min(money(shipping_amount), available - already)
        ship_tax = Decimal(0)
        for ship in order["shipping_lines"]:
            for tax in ship["tax_lines"]:
                if shipping_full and not already:
                    ship_tax += Decimal(tax["price"])
                else:
                    ship_tax += tax_amount(amount, tax["rate"], included)
        if included:
            amount_excl = amount - ship_tax
            refund["shipping"] = {"id": next_id(state), "amount": fmt(amount_excl), "tax": fmt(ship_tax)}
            total += amount
        else:
            refund["shipping"] = {"id": next_id(state), "amount": fmt(amount), "tax": fmt(ship_tax)}
            total += amount + ship_tax
    parent = next(
        (tx for tx in order["transactions"] if tx["kind"] in ("SALE", "CAPTURE") and tx["status"] == "SUCCESS"), None
    )
    if total > 0:
        gateway = parent["gateway"] if parent else "manual"
        transaction = _transaction(state, order, "REFUND", "SUCCESS", gateway, total, parent, when)
        refund["transaction_ids"].append(transaction["id"])
    order["refunds"].append(refund)
    return refund


def _fulfill(state, order, quantities, when, tracking=None):
    """Fulfil {line id: quantity} from the order's fulfilment order."""
    fulfillment_order = order["fulfillment_orders"][0]
    fulfillment = {
        "id": next_id(state),
        "name": f"{order['name']}.{len(order['fulfillments']) + 1}",
        "status": "SUCCESS",
        "location_id": fulfillment_order["location_id"],
        "tracking_company": (tracking or {}).get("company"),
        "tracking_number": (tracking or {}).get("number"),
        "tracking_url": (tracking or {}).get("url"),
        "lines": [],
        "created_at": when,
        "updated_at": when,
    }
    for fo_line in fulfillment_order["line_items"]:
        quantity = min(quantities.get(fo_line["line_item_id"], 0), fo_line["remaining"])
        if quantity:
            fo_line["remaining"] -= quantity
            fulfillment["lines"].append({"line_item_id": fo_line["line_item_id"], "quantity": quantity})
    order["fulfillments"].append(fulfillment)
    refresh_fulfillment_status(order)
    return fulfillment


def refresh_fulfillment_status(order):
    remaining = sum(line["remaining"] for fo in order["fulfillment_orders"] for line in fo["line_items"])
    shipped = sum(
        line["quantity"]
        for fulfillment in order["fulfillments"]
        if fulfillment["status"] != "CANCELLED"
        for line in fulfillment["lines"]
    )
    for fulfillment_order in order["fulfillment_orders"]:
        if fulfillment_order["status"] in ("OPEN", "IN_PROGRESS"):
            left = sum(line["remaining"] for line in fulfillment_order["line_items"])
            touched = any(line["remaining"] < line["total"] for line in fulfillment_order["line_items"])
            fulfillment_order["status"] = "CLOSED" if not left else ("IN_PROGRESS" if touched else "OPEN")
    if shipped and not remaining:
        order["fulfillment_status"] = "FULFILLED"
    elif shipped:
        order["fulfillment_status"] = "PARTIALLY_FULFILLED"
    else:
        order["fulfillment_status"] = "UNFULFILLED"


def build_order(state, rng, number, lines, when, presentment="USD", taxes_included=False, email=None):
    """A new open order (no transactions yet) with fulfilment order at the first location.

    ``lines``: [(variant or None, product or None, quantity, discount, taxes)].
    """
    first, last = rng.choice(_PEOPLE)
    europe = presentment == "EUR"
    order = {
        "id": next_id(state),
        "name": f"#{number}",
        "number": number,
        "email": email or f"{first.lower()}.{last.lower()}{number}@example.com",
        "phone": None,
        "note": None,
        "tags": [],
        "source_name": "web",
        "created_at": iso(when),
        "updated_at": iso(when + timedelta(minutes=10)),
        "processed_at": iso(when),
        "cancelled_at": None,
        "cancel_reason": None,
        "closed": False,
        "test": False,
        "currency": state["shop"]["currency"],
        "presentment_currency": presentment,
        "rate": EUR_RATE if presentment != state["shop"]["currency"] else "1",
        "taxes_included": taxes_included,
        "financial_status": "PENDING",
        "fulfillment_status": "UNFULFILLED",
        "risk": "ACCEPT",
        "customer": {
            "id": next_id(state),
            "email": None,
            "phone": None,
            "first_name": first,
            "last_name": last,
        },
        "billing_address": None,
        "shipping_address": None,
        "line_items": [],
        "shipping_lines": [],
        "transactions": [],
        "refunds": [],
        "fulfillment_orders": [],
        "fulfillments": [],
    }
    order["customer"]["email"] = order["email"]
    order["billing_address"] = _address(rng, first, last, europe)
    order["shipping_address"] = dict(order["billing_address"])
    taxes_seen = []
    for variant, product, quantity, discount, taxes in lines:
        order["line_items"].append(_make_line(state, variant, product, quantity, discount, taxes, taxes_included))
        taxes_seen = taxes_seen or [t for t in taxes if t != UNMAPPED_TAX]
    ship_price = Decimal("6.90") if europe else Decimal("5.00")
    ship_discount = ship_price if rng.random() < 0.15 else Decimal(0)
    ship_net = ship_price - ship_discount
    order["shipping_lines"].append(
        {
            "id": next_id(state),
            "title": "Standard Shipping",
            "code": "STANDARD",
            "price": fmt(ship_price),
            "discount": fmt(ship_discount),
            "tax_lines": [
                {"title": title, "rate": rate, "price": fmt(tax_amount(ship_net, rate, taxes_included))}
                for title, rate in taxes_seen
            ],
        }
    )
    location_id = state["locations"][0]["id"]
    order["fulfillment_orders"].append(
        {
            "id": next_id(state),
            "location_id": location_id,
            "status": "OPEN",
            "line_items": [
                {
                    "id": next_id(state),
                    "line_item_id": line["id"],
                    "total": line["quantity"],
                    "remaining": line["current_quantity"],
                }
                for line in order["line_items"]
                if line["requires_shipping"]
            ],
        }
    )
    return order


def _pay(state, order, index, scenario):
    total = order_totals(order)["original_total"]
    gateway = GATEWAYS[index % 2]
    if scenario == "pending":
        _transaction(state, order, "SALE", "PENDING", "manual", total)
        order["financial_status"] = "PENDING"
    elif scenario in ("authorized", "cancelled"):
        auth = _transaction(state, order, "AUTHORIZATION", "SUCCESS", "shopify_payments", total)
        order["financial_status"] = "AUTHORIZED"
        if scenario == "cancelled":
            _transaction(state, order, "VOID", "SUCCESS", "shopify_payments", total, auth, order["updated_at"])
            order["financial_status"] = "VOIDED"
    elif index % 12 == 0:
        auth = _transaction(state, order, "AUTHORIZATION", "SUCCESS", gateway, total)
        _transaction(state, order, "CAPTURE", "SUCCESS", gateway, total, auth)
        order["financial_status"] = "PAID"
    else:
        _transaction(state, order, "SALE", "SUCCESS", gateway, total)
        order["financial_status"] = "PAID"


def empty_state(currency="USD", presentment_currencies=("USD", "EUR"), seed=0):
    return {
        "seed": seed,
        "next_id": 1_000_000_000,
        "next_order_number": 1001,
        "shop": {
            "id": "90000001",
            "name": "Sandbox Shop",
            "domain": SHOP_DOMAIN,
            "currency": currency,
            "presentment_currencies": list(presentment_currencies),
            "timezone": "America/New_York",
            "scopes": list(ACCESS_SCOPES),
            "installation_id": "90000002",
        },
        "locations": [],
        "products": [],
        "inventory": {},
        "orders": [],
        "webhook_subscriptions": [],
        "bulk_operations": {},
        "idempotency": {},
        "adjustment_groups": 0,
    }


def _apply_scenario(state, order, scenario, when):
    """What happened to the order after it was placed (risk, cancel, fulfil, refund)."""
    later = iso(when + timedelta(days=2))
    if scenario == "risk_investigate":
        order["risk"] = "INVESTIGATE"
    elif scenario == "risk_cancel":
        order["risk"] = "CANCEL"
    elif scenario == "cancelled":
        order.update(cancelled_at=later, cancel_reason="CUSTOMER", closed=True, updated_at=later)
        for fulfillment_order in order["fulfillment_orders"]:
            fulfillment_order["status"] = "CANCELLED"
            for line in fulfillment_order["line_items"]:
                line["remaining"] = 0
    elif scenario in ("fulfilled", "partially_fulfilled"):
        lines = order["line_items"][:1] if scenario == "partially_fulfilled" else order["line_items"]
        if scenario == "partially_fulfilled" and len(order["line_items"]) == 1:
            quantities = {lines[0]["id"]: max(lines[0]["quantity"] - 1, 0)} if lines[0]["quantity"] > 1 else {}
        else:
            quantities = {line["id"]: line["quantity"] for line in lines}
        tracking = {
            "company": "UPS",
            "number": f"1Z999AA1{int(order['id']) % 10**8:08d}",
            "url": f"https://www.ups.com/track?tracknum=1Z999AA1{int(order['id']) % 10**8:08d}",
        }
        _fulfill(state, order, quantities, order["updated_at"], tracking)
    elif scenario == "partial_refund":
        line = order["line_items"][0]
        add_refund(state, order, [(line["id"], 1)], shipping_full=True, note="Damaged item", when=later)
        order["financial_status"] = "PARTIALLY_REFUNDED"
        order["updated_at"] = later
    elif scenario == "refunded":
        add_refund(
            state,
            order,
            [(line["id"], line["quantity"]) for line in order["line_items"]],
            shipping_full=True,
            note="Customer returned everything",
            when=later,
        )
        order["financial_status"] = "REFUNDED"
        order["closed"] = True
        order["updated_at"] = later


def generate_store(
    orders=20,
    products=10,
    seed=1,
    currency="USD",
    presentment_currencies=("USD", "EUR"),
    problems=True,
    returns=0,
):
    """A whole store as a JSON-able dict; the same arguments give the same store.

    ``returns``: that many returns on the fulfilled orders, made after the orders (so the
    ids of the store without returns do not change); see :func:`generate_returns`."""
    rng = random.Random(seed)
    state = empty_state(currency, presentment_currencies, seed)
    for name in ("Main Warehouse", "Downtown Store"):
        state["locations"].append({"id": next_id(state), "name": name, "active": True})
    _catalogue(state, rng, max(products, 1))
    variants = [(variant, product) for product in state["products"] for variant in product["variants"]]
    foreign = [code for code in presentment_currencies if code != currency]
    for index in range(orders):
        scenario = _SCENARIOS.get(index % 12, "paid")
        europe = bool(foreign) and index % 3 == 2
        presentment = foreign[0] if europe else currency
        taxes = list(EU_TAXES if europe else US_TAXES)
        if not europe and index % 4 == 2:
            taxes.append(US_EXTRA_TAX)
        when = BASE_TIME + timedelta(hours=3 * index, minutes=rng.randint(0, 59))
        picks = rng.sample(variants, k=min(len(variants), rng.randint(1, 4)))
        specs = []
        for position, (variant, product) in enumerate(picks):
            quantity = rng.randint(1, 3)
            if scenario == "partial_refund" and position == 0:
                quantity = max(quantity, 2)
            discount = Decimal(0)
            # refunded lines carry no discount, so totals stay trivially checkable
            if rng.random() < 0.35 and scenario != "refunded" and not (scenario == "partial_refund" and position == 0):
                discount = money(Decimal(variant["price"]) * quantity * Decimal("0.1"))
            specs.append([variant, product, quantity, discount, list(taxes)])
        if problems and index == 0 and orders > 1:
            specs[0][4].append(UNMAPPED_TAX)
        if problems and index == 2 and orders > 2:
            specs.append([None, None, 1, Decimal(0), list(taxes)])
        number = state["next_order_number"]
        state["next_order_number"] += 1
        order = build_order(state, rng, number, specs, when, presentment, taxes_included=europe)
        _pay(state, order, index, scenario)
        _apply_scenario(state, order, scenario, when)
        for fulfillment_order in order["fulfillment_orders"]:
            for fo_line in fulfillment_order["line_items"]:
                line = next(li for li in order["line_items"] if li["id"] == fo_line["line_item_id"])
                fo_line["remaining"] = min(fo_line["remaining"], line["current_quantity"])
        refresh_fulfillment_status(order)
        state["orders"].append(order)
    if returns:
        generate_returns(state, seed=seed, count=returns)
    return state


# ---------------------------------------------------------------- returns (retail_returns_sync)

#: kinds of generated returns: (reason, customer note, share of each fulfilled line returned,
#: exchange: the replacement asked for costs more / less / the same, or None)
RETURN_KINDS = {
    "full": ("UNWANTED", None, 1.0, None),
    "partial": ("SIZE_TOO_SMALL", None, 0.5, None),
    "damaged": ("DEFECTIVE", "Arrived broken", 1.0, None),
    "exchange_up": ("SIZE_TOO_SMALL", "Please send the pricier item instead", 0.5, "up"),
    "exchange_down": ("SIZE_TOO_LARGE", "Please send the cheaper item instead", 0.5, "down"),
    "exchange_even": ("SIZE_TOO_LARGE", "Please send another size instead", 0.5, "even"),
}


def fulfilled_quantities(order):
    """{line item id: quantity shipped} minus what the order's returns already take back."""
    shipped = {}
    for fulfillment in order["fulfillments"]:
        for entry in fulfillment["lines"]:
            shipped[entry["line_item_id"]] = shipped.get(entry["line_item_id"], 0) + entry["quantity"]
    for ret in order.get("returns") or []:
        if ret["status"] in ("DECLINED", "CANCELED"):
            continue
        for line in ret["lines"]:
            shipped[line["line_item_id"]] = shipped.get(line["line_item_id"], 0) - line["quantity"]
    return {line_id: quantity for line_id, quantity in shipped.items() if quantity > 0}


def add_return(state, order, lines, reason="UNWANTED", status="REQUESTED", note=None, when=None):
    """A return of ``lines`` [(line item id, quantity)] (fulfilled quantities only).

    Requested returns have no reverse fulfilment order yet; open ones (created by the
    merchant, or approved) get one line per returned item to dispose.
    """
    returnable = fulfilled_quantities(order)
    for line_id, quantity in lines:
        if quantity <= 0 or quantity > returnable.get(line_id, 0):
            raise ValueError(f"Line {line_id}: only {returnable.get(line_id, 0)} can be returned")
    order.setdefault("returns", [])
    when = when or order["updated_at"]
    ret = {
        "id": next_id(state),
        "name": f"{order['name']}-R{len(order['returns']) + 1}",
        "status": status,
        "created_at": when,
        "updated_at": when,
        "decline": None,
        "lines": [
            {
                "id": next_id(state),
                "fulfillment_line_id": next_id(state),
                "line_item_id": line_id,
                "quantity": quantity,
                "reason": reason,
                "reason_note": None,
                "customer_note": note,
                "processed": 0,
            }
            for line_id, quantity in lines
        ],
        "reverse_orders": [],
        "refund_ids": [],
    }
    if status == "OPEN":
        open_reverse_order(state, ret)
    order["returns"].append(ret)
    order["updated_at"] = when
    return ret


def open_reverse_order(state, ret):
    """The reverse fulfilment order of an approved return (once)."""
    if ret["reverse_orders"]:
        return ret["reverse_orders"][0]
    reverse = {
        "id": next_id(state),
        "status": "OPEN",
        "lines": [
            {"id": next_id(state), "return_line_id": line["id"], "total": line["quantity"], "dispositions": []}
            for line in ret["lines"]
        ],
    }
    ret["reverse_orders"].append(reverse)
    return reverse


def add_exchange_lines(state, ret, wanted, order=None):
    """The replacements a customer asks for with a return, ``wanted`` [(variant id, quantity)]:
    Shopify's exchange line items, each with the line item it adds to the order, taxed like
    the ``order``'s first line. (Shopify adds that line item to the order's lines; the sandbox
    keeps it on the return only, so order totals stay those the order was generated with.)"""
    first = order["line_items"][0] if order and order["line_items"] else {"tax_lines": []}
    taxes = [(tax["title"], tax["rate"]) for tax in first["tax_lines"]]
    included = bool(order and order["taxes_included"])
    variants = {variant["id"]: (variant, product) for product in state["products"] for variant in product["variants"]}
    exchange_lines = ret.setdefault("exchange_lines", [])
    for variant_id, quantity in wanted:
        if variant_id not in variants:
            raise ValueError(f"No sandbox variant {variant_id}")
        if quantity <= 0:
            raise ValueError(f"Exchange quantity must be positive, not {quantity}")
        variant, product = variants[variant_id]
        line = _make_line(state, variant, product, quantity, Decimal(0), taxes, included)
        exchange_lines.append({"id": next_id(state), "line": line, "processed": 0})
    return exchange_lines


def line_items_by_id(order):
    """The order's line items by id, with the exchange items of its returns (which
    Shopify adds to the order's lines and the sandbox keeps on the return)."""
    lines = {line["id"]: line for line in order["line_items"]}
    for ret in order.get("returns") or []:
        for item in ret.get("exchange_lines") or []:
            lines[item["line"]["id"]] = item["line"]
    return lines


def add_exchange_fulfillment_order(state, order, items):
    """The fulfilment order Shopify opens for processed exchange items [(exchange line, quantity)]."""
    fulfillment_order = {
        "id": next_id(state),
        "location_id": state["locations"][0]["id"],
        "status": "OPEN",
        "line_items": [
            {"id": next_id(state), "line_item_id": item["line"]["id"], "total": quantity, "remaining": quantity}
            for item, quantity in items
        ],
    }
    order["fulfillment_orders"].append(fulfillment_order)
    refresh_fulfillment_status(order)
    return fulfillment_order


def _exchange_variant(state, variant_id, direction):
    """A variant other than ``variant_id`` costing more ("up"), less ("down") or the same
    ("even"), or None."""
    variants = [variant for product in state["products"] for variant in product["variants"]]
    current = next((variant for variant in variants if variant["id"] == variant_id), None)
    if current is None:
        return None
    price = Decimal(current["price"])
    tests = {
        "up": lambda other: other > price,
        "down": lambda other: other < price,
        "even": lambda other: other == price,
    }
    candidates = [v for v in variants if v["id"] != variant_id and tests[direction](Decimal(v["price"]))]
    if not candidates and direction == "even":
        return current  # the same item again
    if not candidates:
        return None
    # nearest price first, then the first variant: deterministic
    return min(candidates, key=lambda v: (abs(Decimal(v["price"]) - price), str(v["id"])))


def generate_returns(state, seed=0, count=None):
    """Returns of each kind on the fulfilled orders of ``state`` (full, partial, damaged,
    exchange up / down / even), in turn; ``count`` returns at most (one an order, the orders
    taken again while items remain returnable), all possible ones when None. The list of
    (order, return) made; exchanges carry ``exchange_lines`` (see :func:`add_exchange_lines`)."""
    rng = random.Random(f"returns-{seed}")
    made = []
    kinds = list(RETURN_KINDS)
    progress = True
    while progress and (count is None or len(made) < count):
        progress = False
        for order in state["orders"]:
            if count is not None and len(made) >= count:
                break
            if order["cancelled_at"] or not fulfilled_quantities(order):
                continue
            kind = kinds[len(made) % len(kinds)]
            reason, note, share, direction = RETURN_KINDS[kind]
            returnable = fulfilled_quantities(order)
            line_ids = sorted(returnable)
            if share < 1.0 and len(line_ids) > 1:
                line_ids = line_ids[:1]
            lines = [(line_id, max(1, int(returnable[line_id] * share))) for line_id in line_ids]
            status = "OPEN" if rng.random() < 0.3 else "REQUESTED"
            ret = add_return(state, order, lines, reason, status, note)
            ret["kind"] = kind
            if direction:
                wanted = []
                for line_id, quantity in lines:
                    item = next(li for li in order["line_items"] if li["id"] == line_id)
                    variant = _exchange_variant(state, item.get("variant_id"), direction)
                    if variant is not None:
                        wanted.append((variant["id"], quantity))
                add_exchange_lines(state, ret, wanted, order)
            made.append((order, ret))
            progress = True
        if count is None:
            break
    return made
