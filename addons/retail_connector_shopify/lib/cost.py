"""Shopify's query cost, computed before a query is sent (and by the sandbox).

Rules (Shopify's documented calculation): scalars and enums cost 0, objects,
interfaces and unions 1, a connection ``2 + n x`` the cost of one node where n
is ``first`` or ``last``; a list field given ``first`` multiplies likewise;
each mutation root field costs 10 plus its selection.
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
from graphql.language import FieldNode, FragmentSpreadNode, InlineFragmentNode, OperationDefinitionNode
from graphql.utilities import value_from_ast_untyped

from . import documents

MUTATION_COST = 10
CONNECTION_BASE_COST = 2


@functools.cache
def schema():
    return build_schema(documents.SCHEMA_PATH.read_text())


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


def _selection_cost(parent_type, selection_set, fragments, variables, data=None):
    total = 0
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            total += _field_cost(parent_type, selection, fragments, variables, data)
        elif isinstance(selection, InlineFragmentNode):
            target = schema().get_type(selection.type_condition.name.value) if selection.type_condition else parent_type
            total += _selection_cost(target, selection.selection_set, fragments, variables, data)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments[selection.name.value]
            target = schema().get_type(fragment.type_condition.name.value)
            total += _selection_cost(target, fragment.selection_set, fragments, variables, data)
    return total


def _field_cost(parent_type, node, fragments, variables, data):
    name = node.name.value
    if name.startswith("__") or not isinstance(parent_type, GraphQLObjectType | GraphQLInterfaceType):
        return 0
    field = parent_type.fields.get(name)
    if field is None:
        return 0
    field_type, is_list = _unwrap(field.type)
    if not isinstance(field_type, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
        return 0
    key = node.alias.value if node.alias else name
    value = data.get(key) if isinstance(data, dict) else None
    size = _argument(node, "first", variables) or _argument(node, "last", variables)
    if field_type.name.endswith("Connection"):
        child_type = field_type
        if data is None:
            return CONNECTION_BASE_COST + int(size or 1) * _selection_cost(
                child_type, node.selection_set, fragments, variables
            )
        # actual cost: what came back
        items = []
        if isinstance(value, dict):
            items = value.get("nodes") or [edge.get("node") for edge in value.get("edges") or []]
        per_item = [_selection_cost_unit(child_type, node.selection_set, fragments, variables, item) for item in items]
        return CONNECTION_BASE_COST + sum(per_item)
    own = 1 + _selection_cost(field_type, node.selection_set, fragments, variables, None if data is None else value)
    if data is None:
        return own * int(size) if is_list and size else own
    if is_list and isinstance(value, list):
        return (
            sum(1 + _selection_cost(field_type, node.selection_set, fragments, variables, item) for item in value) or 1
        )
    return own


def _selection_cost_unit(connection_type, selection_set, fragments, variables, item):
    """Cost of one node of a connection (the connection's own selection, once)."""
    wrapped = {"nodes": [item]} if item is not None else None
    return _selection_cost(connection_type, selection_set, fragments, variables, wrapped)


def _operation(document, operation_name):
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        operations = [o for o in operations if o.name and o.name.value == operation_name] or operations
    return operations[0]


def _cost(document_text, variables, operation_name, data):
    document = parse(document_text)
    fragments = {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}
    operation = _operation(document, operation_name)
    variables = dict(variables or {})
    if operation.operation.value == "mutation":
        root = schema().mutation_type
        total = 0
        for selection in operation.selection_set.selections:
            field = root.fields.get(selection.name.value) if isinstance(selection, FieldNode) else None
            if field is None:
                continue
            field_type, _is_list = _unwrap(field.type)
            key = selection.alias.value if selection.alias else selection.name.value
            value = data.get(key) if isinstance(data, dict) else None
            total += MUTATION_COST + _selection_cost(
                field_type, selection.selection_set, fragments, variables, None if data is None else value
            )
        return total
    return _selection_cost(schema().query_type, operation.selection_set, fragments, variables, data)


def requested_cost(document_text, variables=None, operation_name=None):
    """Points Shopify reserves for a query before running it."""
    return _cost(document_text, variables, operation_name, None)


def actual_cost(document_text, variables, data, operation_name=None):
    """Points Shopify charges once it knows what the query returned."""
    return _cost(document_text, variables, operation_name, data or {})
