"""Shopify bulk operations: start, poll, download JSONL, rebuild nested objects.

A bulk query's result is a JSONL file where nested connection nodes come as
their own rows carrying ``__parentId``; :func:`rebuild` puts them back under
their parent in GraphQL shape (``{"nodes": [...]}``) so the normalisers read
bulk rows and query nodes alike.
"""

import json

import requests
from graphql import parse, print_ast
from graphql.language import ArgumentNode, NameNode, OperationDefinitionNode, StringValueNode

from odoo.addons.retail_connector_base.lib.retry import PermanentError, classify_exception, classify_http
from odoo.addons.retail_connector_base.lib.transport import DEFAULT_TIMEOUT

from .normalize import gid_type

#: gid type of a child row -> connection field of its parent
TYPE_TO_FIELD = {"LineItem": "lineItems", "ShippingLine": "shippingLines", "FulfillmentOrder": "fulfillmentOrders"}


def start(client, query_text):
    """Start a bulk query; return the BulkOperation gid (userErrors raise)."""
    payload = client.mutate("bulk_run", {"query": query_text}, "bulkOperationRunQuery")
    operation = payload.get("bulkOperation") or {}
    if not operation.get("id"):
        raise PermanentError("Shopify did not start the bulk operation (no id returned)")
    return operation["id"]


def status(client, op_id):
    """The BulkOperation node as Shopify returns it (camelCase keys).

    ``{"id", "status" ("CREATED", "RUNNING", "COMPLETED", "FAILED", ...), "errorCode",
    "objectCount": int, "rootObjectCount": int, "url", "partialDataUrl"}``.
    """
    data = client.execute("bulk_status", {"id": op_id})
    node = data.get("node")
    if not isinstance(node, dict) or not node.get("id"):
        raise PermanentError(f"Shopify knows no bulk operation {op_id}")
    result = dict(node)
    for key in ("objectCount", "rootObjectCount"):  # UnsignedInt64 comes as a string
        if result.get(key) is not None:
            result[key] = int(result[key])
    return result


def read_jsonl(session, url, timeout=DEFAULT_TIMEOUT):
    """Yield the decoded rows of a bulk result file, streaming it."""
    sender = session or requests
    try:
        with sender.get(url, stream=True, timeout=timeout) as response:
            error = classify_http(response.status_code, response.headers, "")
            if error:
                raise error
            for number, line in enumerate(response.iter_lines(decode_unicode=True), start=1):
                if not line or not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except ValueError as exc:
                    raise PermanentError(f"Bulk result line {number} is not JSON: {line[:120]}") from exc
    except requests.RequestException as exc:
        raise classify_exception(exc) from exc


def rebuild(rows):
    """Root objects with their child rows nested back as ``{field: {"nodes": [...]}}``."""
    roots, by_id, children = [], {}, []
    for row in rows:
        if not isinstance(row, dict):
            raise PermanentError(f"Bulk result row is not an object: {row!r}"[:200])
        if row.get("__parentId"):
            children.append(row)
            continue
        root = dict(row)
        roots.append(root)
        if root.get("id"):
            by_id[root["id"]] = root
    for row in children:
        child = {key: value for key, value in row.items() if key != "__parentId"}
        parent = by_id.get(row["__parentId"])
        if parent is None:
            raise PermanentError(f"Bulk result row {child.get('id')} has an unknown parent {row['__parentId']}")
        kind = gid_type(child.get("id"))
        field = TYPE_TO_FIELD.get(kind)
        if field is None:
            raise PermanentError(f"Bulk result row {child.get('id')}: no parent field known for type {kind}")
        connection = parent.get(field)
        if not isinstance(connection, dict) or not isinstance(connection.get("nodes"), list):
            connection = parent[field] = {"nodes": []}
        connection["nodes"].append(child)
    return roots


def with_query_filter(bulk_document_text, search_query):
    """The bulk document with its root field's ``query:`` argument set to ``search_query``."""
    document = parse(bulk_document_text)
    operation = next(
        (item for item in document.definitions if isinstance(item, OperationDefinitionNode)),
        None,
    )
    if operation is None or not operation.selection_set.selections:
        raise PermanentError("The bulk document has no operation to filter")
    root = operation.selection_set.selections[0]
    value = StringValueNode(value=search_query)
    arguments = [arg for arg in root.arguments or () if arg.name.value != "query"]
    root.arguments = (ArgumentNode(name=NameNode(value="query"), value=value), *arguments)
    return print_ast(document)
