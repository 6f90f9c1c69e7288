"""The sandbox's Returns API (used by retail_returns_sync), kept apart from the rest of the store.

State: ``order["returns"]`` (see :func:`generator.add_return`). Every returns mutation the
sandbox receives is recorded in ``state["returns_received"]`` as
``{"mutation", "input", "user_errors"}`` so tests can assert what was sent.
"""

from decimal import Decimal, InvalidOperation

from . import generator, rest
from .generator import fmt, money, next_id
from .rest import gid

#: Shopify's return statuses that a request can be approved or declined from
APPROVABLE = ("REQUESTED",)
DISPOSITION_TYPES = ("RESTOCKED", "NOT_RESTOCKED", "PROCESSING_REQUIRED", "MISSING")


def _legacy(value):
    if value is None:
        return None
    text = str(value)
    return text.rsplit("/", 1)[-1].split("?", 1)[0]


def _error(field, message, code="INVALID"):
    return {"field": list(field), "message": message, "code": code}


class ReturnsStoreMixin:
    """Views, resolvers and mutations of returns; mixed into :class:`store.Store`."""

    # ------------------------------------------------------------------ lookups
    def find_return(self, return_id):
        wanted = _legacy(return_id)
        for order in self.state["orders"]:
            for ret in order.get("returns") or []:
                if ret["id"] == wanted:
                    return order, ret
        return None, None

    def find_reverse_line(self, line_id):
        wanted = _legacy(line_id)
        for order in self.state["orders"]:
            for ret in order.get("returns") or []:
                for reverse in ret["reverse_orders"]:
                    for line in reverse["lines"]:
                        if line["id"] == wanted:
                            return order, ret, reverse, line
        return None, None, None, None

    def _received(self, mutation, data, errors):
        self.state.setdefault("returns_received", []).append(
            {"mutation": mutation, "input": data, "user_errors": list(errors)}
        )
        self.changed = True

    # ------------------------------------------------------------------ views
    def _fulfillment_line_view(self, order, ret_line):
        by_id = generator.line_items_by_id(order)  # an exchange item can be returned too
        return {
            "__typename": "FulfillmentLineItem",
            "id": gid("FulfillmentLineItem", ret_line["fulfillment_line_id"]),
            "quantity": ret_line["quantity"],
            "lineItem": self.line_view(order, by_id[ret_line["line_item_id"]]),
        }

    def return_view(self, order, ret):
        from .store import connection  # pylint: disable=import-outside-toplevel

        ret_lines = {line["id"]: line for line in ret["lines"]}

        def line_view(line):
            return {
                "__typename": "ReturnLineItem",
                "id": gid("ReturnLineItem", line["id"]),
                "quantity": line["quantity"],
                "returnReason": line["reason"],
                "returnReasonNote": line.get("reason_note") or "",
                "customerNote": line.get("customer_note"),
                "fulfillmentLineItem": self._fulfillment_line_view(order, line),
            }

        def reverse_line_view(line):
            return {
                "__typename": "ReverseFulfillmentOrderLineItem",
                "id": gid("ReverseFulfillmentOrderLineItem", line["id"]),
                "totalQuantity": line["total"],
                "fulfillmentLineItem": self._fulfillment_line_view(order, ret_lines[line["return_line_id"]]),
                "dispositions": [
                    {
                        "__typename": "ReverseFulfillmentOrderDisposition",
                        "id": gid("ReverseFulfillmentOrderDisposition", item["id"]),
                        "type": item["type"],
                        "quantity": item["quantity"],
                        "location": (
                            self.location_view(self.location(item["location_id"])) if item["location_id"] else None
                        ),
                    }
                    for item in line["dispositions"]
                ],
            }

        def reverse_view(reverse):
            return {
                "__typename": "ReverseFulfillmentOrder",
                "id": gid("ReverseFulfillmentOrder", reverse["id"]),
                "status": reverse["status"],
                "order": lambda _info: self.order_view(order),
                "lineItems": lambda _info, **args: connection(
                    reverse["lines"], args, key=lambda line: [int(line["id"])], view=reverse_line_view
                ),
            }

        def exchange_view(item):
            return {
                "__typename": "ExchangeLineItem",
                "id": gid("ExchangeLineItem", item["id"]),
                "lineItem": self.line_view(order, item["line"]),
            }

        refunds = [refund for refund in order["refunds"] if refund["id"] in ret["refund_ids"]]
        return {
            "__typename": "Return",
            "id": gid("Return", ret["id"]),
            "name": ret["name"],
            "status": ret["status"],
            "totalQuantity": sum(line["quantity"] for line in ret["lines"]),
            "order": lambda _info: self.order_view(order),
            "decline": dict(ret["decline"]) if ret.get("decline") else None,
            "returnLineItems": lambda _info, **args: connection(
                ret["lines"], args, key=lambda line: [int(line["id"])], view=line_view
            ),
            "exchangeLineItems": lambda _info, includeRemovedItems=False, **args: connection(
                ret.get("exchange_lines") or [], args, key=lambda item: [int(item["id"])], view=exchange_view
            ),
            "reverseFulfillmentOrders": lambda _info, **args: connection(
                ret["reverse_orders"], args, key=lambda reverse: [int(reverse["id"])], view=reverse_view
            ),
            "refunds": lambda _info, **args: connection(
                refunds, args, key=lambda refund: [int(refund["id"])], view=lambda r: self.refund_view(order, r)
            ),
        }

    def order_returns(self, order, args):
        """``Order.returns`` (the ``query`` argument is ignored)."""
        from .store import connection  # pylint: disable=import-outside-toplevel

        args = {k: v for k, v in args.items() if k in ("first", "last", "after", "before", "reverse")}
        return connection(
            order.get("returns") or [],
            args,
            key=lambda ret: [int(ret["id"])],
            view=lambda r: self.return_view(order, r),
        )

    # ------------------------------------------------------------------ root fields
    def returns_root(self):
        return {
            "return": self._return,
            "returnApproveRequest": self._return_approve_request,
            "returnDeclineRequest": self._return_decline_request,
            "reverseFulfillmentOrderDispose": self._reverse_dispose,
            "returnProcess": self._return_process,
        }

    def _return(self, _info, id):
        order, ret = self.find_return(id)
        return self.return_view(order, ret) if ret else None

    # ------------------------------------------------------------------ transitions
    def set_return_status(self, order, ret, status, decline=None):
        """Move a return to ``status`` (validated by the caller); the webhook topic to send."""
        topic = {
            "OPEN": "returns/approve" if ret["status"] == "REQUESTED" else "returns/reopen",
            "DECLINED": "returns/decline",
            "CANCELED": "returns/cancel",
            "CLOSED": "returns/close",
        }[status]
        ret["status"] = status
        if status == "OPEN":
            generator.open_reverse_order(self.state, ret)
        if decline is not None:
            ret["decline"] = decline
        order["updated_at"] = ret["updated_at"] = self._now_after(order["updated_at"])
        self.changed = True
        return topic

    @staticmethod
    def _now_after(previous):
        from .store import now_iso  # pylint: disable=import-outside-toplevel

        return now_iso(previous)

    def _approve_or_decline(self, info, mutation, data, status, decline=None):
        order, ret = self.find_return(data.get("id"))
        errors = []
        if ret is None:
            errors.append(_error(["input", "id"], "Return does not exist.", "NOT_FOUND"))
        elif ret["status"] not in APPROVABLE:
            verb = "approvable" if status == "OPEN" else "declinable"
            errors.append(
                _error(
                    ["input", "id"],
                    f"Return is not {verb}. Only returns with status REQUESTED can be "
                    f"{'approved' if status == 'OPEN' else 'declined'}.",
                    "INVALID_STATE",
                )
            )
        self._received(mutation, data, errors)
        if errors:
            return {"return": None, "userErrors": errors}
        topic = self.set_return_status(order, ret, status, decline)
        info.context["webhooks"].append((topic, rest.rest_return(order, ret, full=False)))
        return {"return": self.return_view(order, ret), "userErrors": []}

    def _return_approve_request(self, info, input):
        return self._approve_or_decline(info, "returnApproveRequest", dict(input), "OPEN")

    def _return_decline_request(self, info, input):
        decline = {"reason": input.get("declineReason") or "OTHER", "note": input.get("declineNote")}
        return self._approve_or_decline(info, "returnDeclineRequest", dict(input), "DECLINED", decline)

    # ------------------------------------------------------------------ dispositions
    def _check_dispositions(self, inputs, path):
        """(errors, plans [(order, ret, line, item)])."""
        errors, plans = [], []
        left = {}
        for index, item in enumerate(inputs):
            field = [*path, str(index)]
            order, ret, _reverse, line = self.find_reverse_line(item.get("reverseFulfillmentOrderLineItemId"))
            if line is None:
                errors.append(
                    _error(
                        [*field, "reverseFulfillmentOrderLineItemId"],
                        "Reverse fulfillment order line item does not exist.",
                        "NOT_FOUND",
                    )
                )
                continue
            if ret["status"] != "OPEN":
                errors.append(
                    _error(field, f"Return is {ret['status'].lower()}: nothing can be disposed.", "INVALID_STATE")
                )
                continue
            if item.get("dispositionType") not in DISPOSITION_TYPES:
                errors.append(_error([*field, "dispositionType"], "Disposition type is not valid.", "INCLUSION"))
                continue
            if item["dispositionType"] == "RESTOCKED":
                if not item.get("locationId"):
                    errors.append(_error([*field, "locationId"], "Location is required when restocking.", "BLANK"))
                    continue
                if self.location(item["locationId"]) is None:
                    errors.append(_error([*field, "locationId"], "Location does not exist.", "NOT_FOUND"))
                    continue
            remaining = left.setdefault(
                line["id"], line["total"] - sum(done["quantity"] for done in line["dispositions"])
            )
            quantity = item.get("quantity") or 0
            if quantity <= 0 or quantity > remaining:
                errors.append(
                    _error(
                        [*field, "quantity"],
                        f"Quantity must be between 1 and {remaining} (not yet disposed).",
                        "LESS_THAN_OR_EQUAL_TO",
                    )
                )
                continue
            left[line["id"]] -= quantity
            plans.append((order, ret, line, item))
        return errors, plans

    def _apply_dispositions(self, plans):
        touched = []
        for order, ret, line, item in plans:
            location_id = _legacy(item.get("locationId")) if item["dispositionType"] == "RESTOCKED" else None
            line["dispositions"].append(
                {
                    "id": next_id(self.state),
                    "type": item["dispositionType"],
                    "quantity": item["quantity"],
                    "location_id": location_id,
                }
            )
            if location_id:
                self._restock(order, ret, line, location_id, item["quantity"])
            order["updated_at"] = self._now_after(order["updated_at"])
            touched.append(line)
        self.changed = True
        return touched

    def _restock(self, order, ret, reverse_line, location_id, quantity):
        """Restocked items are available again at the location."""
        ret_line = next(line for line in ret["lines"] if line["id"] == reverse_line["return_line_id"])
        line_item = next(line for line in order["line_items"] if line["id"] == ret_line["line_item_id"])
        variant, _product = self.variant(line_item["variant_id"]) if line_item.get("variant_id") else (None, None)
        if variant is None:
            return
        level = (
            self.state["inventory"]
            .setdefault(variant["inventory_item_id"], {})
            .setdefault(location_id, {"available": 0, "updated_at": self._now_after(None)})
        )
        level["available"] += quantity

    def _reverse_dispose(self, _info, dispositionInputs):
        inputs = [dict(item) for item in dispositionInputs]
        errors, plans = self._check_dispositions(inputs, ["dispositionInputs"])
        self._received("reverseFulfillmentOrderDispose", inputs, errors)
        if errors:
            return {"reverseFulfillmentOrderLineItems": None, "userErrors": errors}
        touched = self._apply_dispositions(plans)
        views = []
        for line in touched:
            views.append(
                {
                    "__typename": "ReverseFulfillmentOrderLineItem",
                    "id": gid("ReverseFulfillmentOrderLineItem", line["id"]),
                    "totalQuantity": line["total"],
                    "dispositions": [
                        {
                            "__typename": "ReverseFulfillmentOrderDisposition",
                            "id": gid("ReverseFulfillmentOrderDisposition", item["id"]),
                            "type": item["type"],
                            "quantity": item["quantity"],
                            "location": (
                                self.location_view(self.location(item["location_id"])) if item["location_id"] else None
                            ),
                        }
                        for item in line["dispositions"]
                    ],
                }
            )
        return {"reverseFulfillmentOrderLineItems": views, "userErrors": []}

    # ------------------------------------------------------------------ returnProcess (2025-07+)
    def _return_process(self, info, input):
        data = _plain(input)
        order, ret = self.find_return(data.get("returnId"))
        errors = []
        if ret is None:
            errors.append(_error(["input", "returnId"], "Return does not exist.", "NOT_FOUND"))
            self._received("returnProcess", data, errors)
            return {"return": None, "userErrors": errors}
        if ret["status"] != "OPEN":
            errors.append(_error(["input", "returnId"], f"Return is {ret['status'].lower()}.", "INVALID_STATE"))
        by_id = {line["id"]: line for line in ret["lines"]}
        refund_lines = []
        for index, item in enumerate(data.get("returnLineItems") or []):
            line = by_id.get(_legacy(item.get("id")))
            field = ["input", "returnLineItems", str(index)]
            if line is None:
                errors.append(_error([*field, "id"], "Return line item does not exist.", "NOT_FOUND"))
            elif item["quantity"] <= 0 or item["quantity"] > line["quantity"] - line["processed"]:
                errors.append(
                    _error(
                        [*field, "quantity"],
                        f"Quantity must be at most {line['quantity'] - line['processed']}.",
                        "LESS_THAN_OR_EQUAL_TO",
                    )
                )
            else:
                refund_lines.append((line, item["quantity"]))
        exchanged = _exchange_items(ret, data, errors)
        transactions = _refund_transactions(order, data, errors)
        if errors:
            self._received("returnProcess", data, errors)
            return {"return": None, "userErrors": errors}
        shipping = data.get("refundShipping") or {}
        shipping_amount = (shipping.get("shippingRefundAmount") or {}).get("amount")
        refund_input = {
            "orderId": order["id"],
            "note": data.get("note") or f"Return {ret['name']}",
            "refundLineItems": [
                {"lineItemId": line["line_item_id"], "quantity": quantity, "restockType": "NO_RESTOCK"}
                for line, quantity in refund_lines
            ],
            "transactions": transactions,
        }
        if shipping_amount is not None or shipping.get("fullRefund"):
            refund_input["shipping"] = {"amount": shipping_amount, "fullRefund": bool(shipping.get("fullRefund"))}
        # Processing items without a financial transfer (an exchange the customer pays the
        # difference of, or an even one) refunds nothing: no refund is created.
        money_back = transactions or shipping_amount is not None or shipping.get("fullRefund")
        record = self.refund(refund_input) if money_back else {"refund_id": None, "user_errors": []}
        if record["user_errors"]:
            errors = [dict(error, code="INVALID") for error in record["user_errors"]]
            self._received("returnProcess", data, errors)
            return {"return": None, "userErrors": errors}
        for line, quantity in refund_lines:
            line["processed"] += quantity
        for exchange, quantity in exchanged:
            exchange["processed"] += quantity
        # Shopify adds the exchange items to the order; returned items leave its current
        # total with their refund, or, when nothing is refunded, by this balance.
        included = order["taxes_included"]
        line_items = generator.line_items_by_id(order)
        returned = [(line_items[line["line_item_id"]], quantity) for line, quantity in refund_lines]
        balance = Decimal(order.get("exchange_balance") or 0)
        balance += sum((generator.line_value(item["line"], qty, included) for item, qty in exchanged), Decimal(0))
        if exchanged and not money_back:
            balance -= sum((generator.line_value(line_item, qty, included) for line_item, qty in returned), Decimal(0))
        order["exchange_balance"] = fmt(balance)
        if exchanged:
            generator.add_exchange_fulfillment_order(self.state, order, exchanged)
        if record["refund_id"]:
            ret["refund_ids"].append(record["refund_id"])
            _order, refund = self.find_refund(record["refund_id"])
            refund["return_id"] = ret["id"]
            info.context["webhooks"].append(("refunds/create", rest.rest_refund(order, refund)))
        self._received("returnProcess", data, [])
        self.changed = True
        return {"return": self.return_view(order, ret), "userErrors": []}


def _exchange_items(ret, data, errors):
    """[(exchange line, quantity)] of a returnProcess input; problems appended to ``errors``."""
    exchanges = {item["id"]: item for item in ret.get("exchange_lines") or []}
    exchanged = []
    for index, item in enumerate(data.get("exchangeLineItems") or []):
        exchange = exchanges.get(_legacy(item.get("id")))
        field = ["input", "exchangeLineItems", str(index)]
        if exchange is None:
            errors.append(_error([*field, "id"], "Exchange line item does not exist.", "NOT_FOUND"))
            continue
        left = exchange["line"]["quantity"] - exchange["processed"]
        if item["quantity"] <= 0 or item["quantity"] > left:
            errors.append(_error([*field, "quantity"], f"Quantity must be at most {left}.", "LESS_THAN_OR_EQUAL_TO"))
        else:
            exchanged.append((exchange, item["quantity"]))
    return exchanged


def _refund_transactions(order, data, errors):
    """The refund transactions of a returnProcess input; problems appended to ``errors``."""
    transactions = []
    issue = (data.get("financialTransfer") or {}).get("issueRefund")
    for index, tx in enumerate((issue or {}).get("orderTransactions") or []):
        field = ["input", "financialTransfer", "issueRefund", "orderTransactions", str(index)]
        parent = next((t for t in order["transactions"] if t["id"] == _legacy(tx.get("parentId"))), None)
        try:
            amount = money((tx.get("transactionAmount") or {}).get("amount"))
        except (InvalidOperation, TypeError):
            amount = None
        if parent is None or parent["kind"] not in ("SALE", "CAPTURE"):
            errors.append(_error([*field, "parentId"], "Parent transaction must be a sale or a capture.", "INVALID"))
        elif amount is None or amount <= 0:
            errors.append(_error([*field, "transactionAmount"], "Amount must be positive.", "GREATER_THAN"))
        else:
            transactions.append({"gateway": parent["gateway"], "amount": fmt(amount), "parentId": parent["id"]})
    return transactions


def _plain(value):
    """graphql-core input values as plain JSON-able dicts (Decimals as strings)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    return value


class SandboxReturnsMixin:
    """Test helpers of :class:`server.Sandbox` for returns (state change + webhook)."""

    def create_return(self, order_id, lines, reason="UNWANTED", status="REQUESTED", note=None, emit=True, exchange=()):
        """A customer's return request of [(line item id, quantity)], with the replacements
        asked for in ``exchange`` [(SKU, quantity)]; emits returns/request."""
        with self.lock:
            order = self._order(order_id)
            ret = generator.add_return(
                self.state,
                order,
                [(_legacy(line_id), quantity) for line_id, quantity in lines],
                reason=reason,
                status=status,
                note=note,
                when=self._return_time(order),
            )
            if exchange:
                variants = {
                    variant["sku"]: variant["id"]
                    for product in self.state["products"]
                    for variant in product["variants"]
                }
                generator.add_exchange_lines(
                    self.state, ret, [(variants.get(sku, sku), quantity) for sku, quantity in exchange], order
                )
            self.store.changed = True
            body = rest.rest_return(order, ret)
        if emit:
            self._emit_now([("returns/request", body)])
        self.save()
        return ret

    def _return_time(self, order):
        from .store import now_iso  # pylint: disable=import-outside-toplevel

        return now_iso(order["updated_at"])

    def return_body(self, return_id, full=True):
        """The REST webhook body of a return as it is now."""
        with self.lock:
            order, ret = self.store.find_return(return_id)
            return rest.rest_return(order, ret, full=full)

    def _set_return_status(self, return_id, status, allowed, decline=None, emit=True):
        with self.lock:
            order, ret = self.store.find_return(return_id)
            if ret is None:
                raise KeyError(f"No sandbox return {return_id}")
            if ret["status"] not in allowed:
                raise ValueError(f"Return {return_id} is {ret['status']}")
            topic = self.store.set_return_status(order, ret, status, decline)
            body = rest.rest_return(order, ret, full=False)
        if emit:
            self._emit_now([(topic, body)])
        self.save()
        return ret

    def approve_return(self, return_id, emit=True):
        return self._set_return_status(return_id, "OPEN", ("REQUESTED",), emit=emit)

    def decline_return(self, return_id, reason="OTHER", note=None, emit=True):
        return self._set_return_status(
            return_id, "DECLINED", ("REQUESTED",), {"reason": reason, "note": note}, emit=emit
        )

    def cancel_return(self, return_id, emit=True):
        return self._set_return_status(return_id, "CANCELED", ("REQUESTED", "OPEN"), emit=emit)

    def close_return(self, return_id, emit=True):
        return self._set_return_status(return_id, "CLOSED", ("OPEN",), emit=emit)

    def reopen_return(self, return_id, emit=True):
        return self._set_return_status(return_id, "OPEN", ("CLOSED",), emit=emit)

    def refund_return(self, return_id, quantities=None, amount=None, emit=True):
        """A refund made in Shopify's admin for a return ({return line id: qty}, default all)."""
        with self.lock:
            order, ret = self.store.find_return(return_id)
            lines = [
                (line["line_item_id"], (quantities or {}).get(line["id"], line["quantity"] - line["processed"]))
                for line in ret["lines"]
            ]
            lines = [(line_id, quantity) for line_id, quantity in lines if quantity]
            refund = generator.add_refund(
                self.state, order, lines, note=f"Return {ret['name']}", when=self._return_time(order)
            )
            if amount is not None:
                tx = next(t for t in order["transactions"] if t["id"] in refund["transaction_ids"])
                tx["amount"] = fmt(money(amount))
            for line in ret["lines"]:
                line["processed"] += dict(lines).get(line["line_item_id"], 0)
            refund["return_id"] = ret["id"]
            ret["refund_ids"].append(refund["id"])
            order["updated_at"] = refund["created_at"]
            self.store._refresh_financial_status(order)
            self.store.changed = True
            body = rest.rest_refund(order, refund)
        if emit:
            self._emit_now([("refunds/create", body)])
        self.save()
        return refund

    def returns_received(self, mutation=None):
        """What the returns mutations received ({"mutation", "input", "user_errors"})."""
        with self.lock:
            rows = list(self.state.get("returns_received") or [])
        return [row for row in rows if mutation is None or row["mutation"] == mutation]
