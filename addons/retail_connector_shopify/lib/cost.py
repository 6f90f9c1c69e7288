"""Shopify's query cost, computed before a query is sent (and by the sandbox).

Rules (Shopify's documented calculation):

- scalars and enums cost 0; objects, interfaces and unions 1;
- a connection (type name ending in ``Connection``) costs ``2 + n x`` the cost
  of one node, n being ``first`` or ``last``; ``edges``/``node``/``nodes`` and
  ``pageInfo`` are the connection's plumbing and cost nothing of their own;
- a list field given ``first`` multiplies likewise, a list without it counts
  as one object;
- each mutation root field costs 10 plus its selection.

The actual cost follows the same rules over the data actually returned
(n = the nodes or items that came back). Pure functions; the schema (SDL at
``documents.SCHEMA_PATH``) is built once.
"""

import functools

from graphql import (
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLUnionType,
    build_schema,
    parse,
)
from graphql.language import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
)
from graphql.utilities import value_from_ast_untyped

from . import documents

MUTATION_COST = 10
CONNECTION_BASE_COST = 2
#: Shopify's caps: requested cost of one query, and first/last of one field
MAX_QUERY_COST = 1000
MAX_PAGE_SIZE = 250
_COMPOSITE = GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType


@functools.cache
def schema():
    return build_schema(documents.SCHEMA_PATH.read_text())


@functools.lru_cache(maxsize=256)
def _parse(document_text):
    return parse(document_text)


def _unwrap(field_type):
    is_list = False
    while isinstance(field_type, GraphQLNonNull | GraphQLList):
        if isinstance(field_type, GraphQLList):
            is_list = True
        field_type = field_type.of_type
    return field_type, is_list


def _argument(node, name, variables):
    for argument in node.arguments or ():
        if argument.name.value == name:
            return value_from_ast_untyped(argument.value, variables)
    return None


def _page_size(node, variables):
    size = _argument(node, "first", variables)
    if size is None:
        size = _argument(node, "last", variables)
    return int(size) if isinstance(size, int | float) else None


class _Walker:
    """One cost computation: ``data`` is None for the requested cost."""

    def __init__(self, document, variables):
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.variables = dict(variables or {})

    def fields(self, parent_type, selection_set):
        """(parent type, field node) of a selection, fragments flattened."""
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                yield parent_type, selection
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = schema().get_type(condition.name.value) if condition else parent_type
                yield from self.fields(target, selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    target = schema().get_type(fragment.type_condition.name.value)
                    yield from self.fields(target, fragment.selection_set)

    def selection(self, parent_type, selection_set, data):
        total = 0
        for field_parent, node in self.fields(parent_type, selection_set):
            total += self.field(field_parent, node, data)
        return total

    def field(self, parent_type, node, parent_data):
        name = node.name.value
        if name.startswith("__") or not isinstance(parent_type, GraphQLObjectType | GraphQLInterfaceType):
            return 0
        field = parent_type.fields.get(name)
        if field is None:
            return 0
        field_type, is_list = _unwrap(field.type)
        if not isinstance(field_type, _COMPOSITE):
            return 0
        measuring = parent_data is not None
        value = None
        if measuring and isinstance(parent_data, dict):
            value = parent_data.get(node.alias.value if node.alias else name)
        size = _page_size(node, self.variables)
        if field_type.name.endswith("Connection") and isinstance(field_type, GraphQLObjectType):
            return self.connection(field_type, node, size, value, measuring)
        if not measuring:
            own = 1 + self.selection(field_type, node.selection_set, None)
            return own * size if is_list and size is not None else own
        if is_list and isinstance(value, list):
            costs = [1 + self.selection(field_type, node.selection_set, item or {}) for item in value]
            if size is not None:
                return sum(costs)
            return max(costs, default=1)
        if value is None:
            return 1
        return 1 + self.selection(field_type, node.selection_set, value)

    def node_selections(self, connection_type, selection_set):
        """(node type, selection set) of every way the connection's nodes are selected."""
        found = []
        for parent, node in self.fields(connection_type, selection_set):
            field = parent.fields.get(node.name.value) if hasattr(parent, "fields") else None
            if field is None:
                continue
            if node.name.value == "nodes":
                found.append(("nodes", _unwrap(field.type)[0], node))
            elif node.name.value == "edges":
                edge_type = _unwrap(field.type)[0]
                for edge_parent, edge_node in self.fields(edge_type, node.selection_set):
                    if edge_node.name.value == "node":
                        node_type = _unwrap(edge_parent.fields["node"].type)[0]
                        found.append(("edges", node_type, (node, edge_node)))
        return found

    def connection(self, connection_type, node, size, value, measuring):
        ways = self.node_selections(connection_type, node.selection_set)
        if not measuring:
            one = sum(1 + self.selection(node_type, self._set(how, sel), None) for how, node_type, sel in ways)
            return CONNECTION_BASE_COST + (1 if size is None else size) * max(one, 1)
        total = CONNECTION_BASE_COST
        if not isinstance(value, dict):
            return total
        for how, node_type, sel in ways:
            if how == "nodes":
                items = value.get(sel.alias.value if sel.alias else "nodes") or []
            else:
                edges_node, inner = sel
                edges = value.get(edges_node.alias.value if edges_node.alias else "edges") or []
                items = [(edge or {}).get(inner.alias.value if inner.alias else "node") for edge in edges]
            total += sum(1 + self.selection(node_type, self._set(how, sel), item or {}) for item in items)
        return total

    @staticmethod
    def _set(how, sel):
        return sel.selection_set if how == "nodes" else sel[1].selection_set


def _operation(document, operation_name):
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        operations = [o for o in operations if o.name and o.name.value == operation_name] or operations
    if not operations:
        raise ValueError("The GraphQL document has no operation")
    return operations[0]


def _document(document_or_text):
    return document_or_text if isinstance(document_or_text, DocumentNode) else _parse(document_or_text)


def _cost(document_text, variables, operation_name, data):
    document = _document(document_text)
    operation = _operation(document, operation_name)
    walker = _Walker(document, variables)
    if operation.operation.value == "mutation":
        root = schema().mutation_type
        total = 0
        for _parent, node in walker.fields(root, operation.selection_set):
            field = root.fields.get(node.name.value)
            if field is None:
                continue
            payload_type = _unwrap(field.type)[0]
            value = None
            if data is not None:
                value = (data or {}).get(node.alias.value if node.alias else node.name.value) or {}
            total += MUTATION_COST
            if isinstance(payload_type, _COMPOSITE):
                total += walker.selection(payload_type, node.selection_set, value)
        return total
    return walker.selection(schema().query_type, operation.selection_set, data)


def requested_cost(document_text, variables=None, operation_name=None):
    """Points Shopify reserves for a query before running it."""
    return _cost(document_text, variables, operation_name, None)


def actual_cost(document_text, variables, data, operation_name=None):
    """Points Shopify charges once it knows what the query returned."""
    return _cost(document_text, variables, operation_name, data or {})


def oversized_pages(document_text, variables=None, operation_name=None, limit=MAX_PAGE_SIZE):
    """[(field name, n)] of every field whose first/last exceeds ``limit``."""
    document = _document(document_text)
    operation = _operation(document, operation_name)
    walker = _Walker(document, variables)
    found = []

    def visit(selection_set):
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                size = _page_size(selection, walker.variables)
                if size is not None and size > limit:
                    found.append((selection.name.value, size))
                visit(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                visit(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value in walker.fragments:
                visit(walker.fragments[selection.name.value].selection_set)

    visit(operation.selection_set)
    return found
