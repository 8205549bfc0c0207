"""What SHACL-SPARQL allows a query, and where a query uses its pre-bound variables.

SHACL runs a constraint's query once per focus node with ``$this`` (and ``$shapesGraph``,
``$currentShape``; a validator's ``$value`` and parameters) *pre-bound*: substituted into the
whole query, nested groups, UNION branches, subqueries and EXISTS included (SHACL Appendix A).
So that substitution is well defined, §5.3.1 forbids a query ``MINUS``, ``SERVICE`` and
``VALUES``, ``AS ?var`` for a pre-bound variable, and a subquery that does not return every
pre-bound variable (but $shapesGraph and $currentShape); a processor must refuse such shapes.

An engine that pre-binds by joining the outermost group with the focus node (pyrudof) leaves
the variable unbound in an expression (FILTER, BIND, EXISTS, a subquery's projection) of a
nested group that does not bind it itself: ``nested_use`` finds such a use. The queries are
read with rdflib's parser, whose tree keeps the groups as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from msgspec import Struct
from rdflib import Graph, URIRef, Variable
from rdflib.namespace import SH
from rdflib.term import Node

if TYPE_CHECKING:  # importing rdflib.plugins.sparql builds its grammar (~0.1 s): only on use
    from rdflib.plugins.sparql.parserutils import CompValue

# Pre-bound in every SPARQL-based constraint and validator (SHACL §5.3.1, §6.3).
CONSTRAINT_VARIABLES = frozenset({"this", "shapesGraph", "currentShape"})
OPTIONAL_IN_SUBQUERIES = frozenset({"shapesGraph", "currentShape"})
_VALIDATORS = {SH.validator: True, SH.nodeValidator: False, SH.propertyValidator: False}
_NCNAME_END = re.compile(r"[A-Za-z_][\w.-]*$")
_VARIABLE = re.compile(r"[?$](\w+)")
_RISKY = re.compile(r"\b(?:MINUS|SERVICE|VALUES)\b", re.IGNORECASE)
_SELECT = re.compile(r"\bSELECT\b", re.IGNORECASE)
_AS = re.compile(r"\bAS\s*[?$](\w+)", re.IGNORECASE)
# Strings, IRIs and comments, blanked before keywords and variables are looked for.
_NOT_CODE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*',
    re.DOTALL,
)


class Query(Struct, frozen=True):
    """A SPARQL query of the shapes: its node, its text and the variables it has pre-bound."""

    node: Node
    text: str
    prebound: frozenset[str]


def queries(shapes: Graph) -> Iterator[Query]:
    """Yield the queries of SPARQL-based constraints and constraint components' validators."""
    for constraint in sorted(set(shapes.objects(None, SH.sparql)), key=str):
        for text in shapes.objects(constraint, SH.select):
            yield Query(constraint, str(text), CONSTRAINT_VARIABLES)
    for component in sorted(set(shapes.subjects(SH.parameter, None)), key=str):
        parameters = frozenset(parameter_names(shapes, component))
        for predicate, is_ask in _VALIDATORS.items():
            for validator in shapes.objects(component, predicate):
                value = frozenset({"value"}) if is_ask else frozenset()
                for text in shapes.objects(validator, SH.ask if is_ask else SH.select):
                    yield Query(validator, str(text), CONSTRAINT_VARIABLES | parameters | value)


def parameter_names(shapes: Graph, component: Node) -> list[str]:
    """Return the variable names of a component's parameters: their paths' local names (§6.2)."""
    names = []
    for parameter in shapes.objects(component, SH.parameter):
        path = shapes.value(parameter, SH.path)
        match = _NCNAME_END.search(str(path)) if isinstance(path, URIRef) else None
        if match is not None:
            names.append(match[0])
    return names


def parsed(query: str, prefixes: dict[str, str]) -> CompValue:
    """Return the parse tree of a query (which has been checked to parse) with its prefixes."""
    from rdflib.plugins.sparql.parser import parseQuery

    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(prefixes.items()))
    tree = parseQuery(prologue + query.replace("$PATH", "<urn:x-shacl:path>"))
    query_tree: CompValue = tree[1]
    return query_tree


def might_be_forbidden(text: str, prebound: frozenset[str]) -> bool:
    """Tell whether a query has a keyword that §5.3.1 may forbid (else it needs no parse)."""
    code = _NOT_CODE.sub(" ", text)
    if _RISKY.search(code) or len(_SELECT.findall(code)) > 1:
        return True
    return any(name in prebound for name in _AS.findall(code))


def variables_named(text: str) -> set[str]:
    """Return the names of the variables a query's text names, outside strings and IRIs."""
    return set(_VARIABLE.findall(_NOT_CODE.sub(" ", text)))


def forbidden(tree: CompValue, prebound: frozenset[str]) -> str | None:
    """Return what §5.3.1 forbids in the query, in words, or None."""
    for node in _nodes(tree):
        name = node.name
        if name == "MinusGraphPattern":
            return "MINUS"
        if name == "ServiceGraphPattern":
            return "SERVICE (a federated query)"
        if name in ("InlineData", "ValuesClause") and _get(node, "var") is not None:
            return "VALUES"
        bound = _get(node, "var") if name == "Bind" else _get(node, "evar")
        if isinstance(bound, Variable) and str(bound) in prebound:
            return f"'AS ${bound}', which binds a pre-bound variable"
        if name == "SubSelect":
            missing = sorted(prebound - OPTIONAL_IN_SUBQUERIES - _returned(node))
            if missing:
                said = ", ".join(f"${v}" for v in missing)
                return f"a subquery that does not return {said}"
    return None


def uses(tree: CompValue, names: frozenset[str]) -> list[str]:
    """Return which of the variables ``names`` the query names anywhere."""
    return sorted(names & _variables(tree))


def nested_use(tree: CompValue, prebound: frozenset[str]) -> str | None:
    """Return where a pre-bound variable is used in a nested group that does not bind it.

    That is: in an expression (FILTER, BIND, EXISTS) or a subquery's projection, inside a
    group, UNION branch, GRAPH block or subquery below the outermost group, where no triple
    pattern of that same group binds it. An OPTIONAL's FILTER directly in the outermost group
    joins the outer solution and is fine; so is an EXISTS in the outermost group's FILTER.
    """
    return _scan(tree["where"], prebound, "outermost")


def _scan(group: CompValue, prebound: frozenset[str], depth: str) -> str | None:
    bound_here = _triple_variables(group)
    for part in _get(group, "part") or []:
        name = part.name
        if name in ("Filter", "Bind"):
            used = _variables(part["expr"]) & prebound - bound_here
            nested = depth == "nested" or (depth == "optional" and name == "Bind")
            if used and nested:
                return f"${min(used)} in a {name.upper()} of a nested group"
        elif name == "OptionalGraphPattern":
            found = _scan(part["graph"], prebound, "optional" if depth == "outermost" else depth)
            if found:
                return found
        elif name == "GroupOrUnionGraphPattern":
            for branch in part["graph"]:
                found = _scan_select(branch, prebound) if branch.name == "SubSelect" else None
                found = found or (
                    None if branch.name == "SubSelect" else _scan(branch, prebound, "nested")
                )
                if found:
                    return f"{found}{' (a UNION branch)' if len(part['graph']) > 1 else ''}"
        elif name == "GraphGraphPattern":
            found = _scan(part["graph"], prebound, "nested")
            if found:
                return found
    return None


def _scan_select(select: CompValue, prebound: frozenset[str]) -> str | None:
    bound = _in_scope(select["where"])
    expressions = [("GROUP BY", _get(select, "groupby")), ("HAVING", _get(select, "having"))]
    expressions += [("ORDER BY", _get(select, "orderby"))]
    expressions += [("SELECT", _get(item, "expr")) for item in _get(select, "projection") or []]
    for clause, expression in expressions:
        used = _variables(expression) & prebound - bound
        if used and (clause != "SELECT" or expression is not None):
            return f"${min(used)} in a subquery's {clause}"
    found = _scan(select["where"], prebound, "nested")
    return f"{found} of a subquery" if found else None


# ---------------------------------------------------------------- the tree


def _get(node: Any, key: str) -> Any:
    """Return a parse tree node's value for ``key``, None if it has none.

    Not ``CompValue.get``: it returns the key itself for a missing key.
    """
    return node[key] if _is_tree(node) and key in node else None


def _is_tree(value: Any) -> bool:
    """Tell whether ``value`` is a node of rdflib's parse tree (a ``CompValue``).

    Imported here: a tree exists only once ``parsed`` has loaded rdflib's SPARQL parser.
    """
    from rdflib.plugins.sparql.parserutils import CompValue

    return isinstance(value, CompValue)


def _nodes(tree: Any) -> Iterator[CompValue]:
    """Yield every node of the parse tree, depth first."""
    if _is_tree(tree):
        yield tree
        for value in tree.values():
            yield from _nodes(value)
    elif isinstance(tree, list | tuple) or type(tree).__name__ == "ParseResults":
        for item in tree:
            yield from _nodes(item)


def _variables(tree: Any) -> set[str]:
    """Return the names of every variable in the tree (or subtree)."""
    if isinstance(tree, Variable):
        return {str(tree)}
    found: set[str] = set()
    if _is_tree(tree):
        for value in tree.values():
            found |= _variables(value)
    elif isinstance(tree, list | tuple) or type(tree).__name__ == "ParseResults":
        for item in tree:
            found |= _variables(item)
    return found


def _triple_variables(group: CompValue) -> set[str]:
    """Return the variables the triple patterns directly in a group name."""
    return {
        name
        for part in _get(group, "part") or []
        if part.name == "TriplesBlock"
        for name in _variables(part["triples"])
    }


def _returned(select: CompValue) -> set[str]:
    """Return the variables a subquery returns: its projection, or (SELECT *) its in-scope ones."""
    projection = _get(select, "projection")
    if not projection:
        return _in_scope(select["where"])
    return {str(_get(v, "evar") or _get(v, "var")) for v in projection}


def _in_scope(group: CompValue) -> set[str]:
    """Return a group's in-scope variables (SPARQL 1.1 §18.2.1): not those only in FILTERs."""
    scope: set[str] = set()
    for part in _get(group, "part") or []:
        name = part.name
        if name == "TriplesBlock":
            scope |= _variables(part["triples"])
        elif name == "Bind":
            scope.add(str(part["var"]))
        elif name == "InlineData":
            scope |= _variables(_get(part, "var"))
        elif name == "OptionalGraphPattern":
            scope |= _in_scope(part["graph"])
        elif name == "GraphGraphPattern":
            scope |= _variables(part["term"]) | _in_scope(part["graph"])
        elif name == "GroupOrUnionGraphPattern":
            for branch in part["graph"]:
                scope |= _returned(branch) if branch.name == "SubSelect" else _in_scope(branch)
    return scope
