"""What a query is checked for before it reaches the engine: its shape, and SERVICE calls.

Oxigraph's parser and planner recurse over the query: a query nesting 3,000 ``{ }`` groups,
a 10,000-term ``||`` chain or 3,000 MINUS blocks ends the process with a segfault (no Python
exception; measured with pyoxigraph 0.5.13, docs/publishing.md). So the text is scanned
here, in plain Python without recursion, and a query past any limit is refused by name.

The same scan finds ``SERVICE`` (SPARQL 1.1 Federated Query §3): strings (all four quote
forms), IRIs and comments are skipped as the engine skips them, the keyword is matched in any
case, and the endpoint is resolved against ``BASE`` and ``PREFIX`` as the engine resolves it.
Whether ``<`` opens an IRI or compares depends on where it stands, as in the grammar (§19.8):
inside an expression after an operand it compares, anywhere else it opens an IRI, so a
``#`` or a quote behind it is read as the engine reads it.
"""

from __future__ import annotations

import functools
import re
import urllib.parse
from collections.abc import Iterator

from msgspec import Struct, field

from kg_build.errors import SourceError

# One token per match; whitespace and comments are skipped. A comment ends at CR or LF (§19.4).
_TOKEN = re.compile(
    r"""
    (?P<skip>(?:\s+|\#[^\r\n]*)+)
    |(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
       |'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")
    |(?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
    |(?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
    |(?P<lang>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)
    |(?P<name>(?:[^\W\d][\w\-\u00B7.]*)?:(?:(?:[\w\-:\u00B7]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%]
       |\.(?=[\w\-:\u00B7%\\]))*)|[^\W\d][\w\-\u00B7]*)
    |(?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)
    |(?P<op>\|\||&&|!=|<=|>=|\^\^|[=<>+\-*/|^!])
    |(?P<open>[{(\[])
    |(?P<close>[})\]])
    |(?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_LESS = re.compile(r"<=?")
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LOCAL_ESCAPE = re.compile(r"\\(.)")
OPERATORS = frozenset(
    {"||", "&&", "!=", "<=", ">=", "=", "<", ">", "+", "-", "*", "/", "|", "^", "!"}
)
# Keywords that each add a step to the query plan; Oxigraph chains them (minus, bind: 3,000 crash).
CLAUSES = frozenset(
    {"OPTIONAL", "UNION", "MINUS", "FILTER", "BIND", "GRAPH", "SERVICE", "VALUES", "EXISTS"}
    | {"SELECT", "AS"}
)
# After these (until the group or the query goes on), every '(' holds an expression.
_EXPRESSION_MODES = frozenset({"SELECT", "BY", "HAVING"})
_MODE_ENDS = frozenset({"WHERE", "LIMIT", "OFFSET", "VALUES", "FROM"})
_PAREN_AFTER_WORD_NOT_EXPRESSION = frozenset({"A", "VALUES"})


class ShapeLimits(Struct, frozen=True):
    """How big a query may be before it reaches the engine (defaults: docs/publishing.md).

    Measured with pyoxigraph 0.5.13 in a process's main thread: 1,000 nested groups ran and
    3,000 crashed; 3,000 ``||`` terms ran and 10,000 crashed; 1,000 MINUS or BIND ran and
    3,000 crashed; 300 OPTIONAL ran (3.9 s) and 1,000 did not finish in a minute.
    """

    max_bytes: int = 100_000
    max_nesting: int = 100
    max_operators: int = 1_000
    max_clauses: int = 100


class Service(Struct, frozen=True):
    """A SERVICE the query calls: as written, and resolved (None for a variable or unknown)."""

    written: str
    endpoint: str | None


class Scan(Struct):
    """What the lexical scan of a query counted and found (shared when cached: read only)."""

    nesting: int = 0
    operators: int = 0
    clauses: int = 0
    services: list[Service] = field(default_factory=list)


class _Token(Struct, frozen=True):
    kind: str
    text: str


def check_shape(text: str, shown: str, limits: ShapeLimits) -> Scan:
    """Scan a query; refuse it, naming the limit, if it is bigger than ``limits`` allow."""
    size = len(text.encode("utf-8"))
    if size > limits.max_bytes:
        raise SourceError(
            shown,
            None,
            f"the query is {size:,} bytes long, more than the limit of {limits.max_bytes:,}",
        )
    scan = _scan_cached(text) if size <= _CACHED_BYTES else scan_query(text)
    for count, limit, what in (
        (scan.nesting, limits.max_nesting, "nests {n} groups"),
        (scan.operators, limits.max_operators, "has {n} operators"),
        (
            scan.clauses,
            limits.max_clauses,
            "has {n} clauses (OPTIONAL, UNION, MINUS, FILTER, BIND …)",
        ),
    ):
        if count > limit:
            shape = what.format(n=f"{count:,}")
            raise SourceError(shown, None, f"the query {shape}, more than the limit of {limit:,}")
    return scan


_CACHED_BYTES = 16_384
# The same texts come again and again (the query page's questions, the pages' own queries).
_scan_cached = functools.lru_cache(maxsize=512)(lambda text: scan_query(text))


def check_services(scan: Scan, shown: str, allowed: frozenset[str]) -> None:
    """Refuse a query whose SERVICE names an endpoint not in ``allowed`` (or a variable)."""
    for service in scan.services:
        if service.endpoint is None or service.endpoint not in allowed:
            how = (
                "only the endpoints kg serve --allow-service names may be called"
                if allowed
                else "this endpoint calls no other (kg serve --allow-service URL allows one)"
            )
            raise SourceError(shown, None, f"SERVICE {service.written} is refused: {how}")


def scan_query(text: str) -> Scan:
    """Count the query's nesting, operators and clauses, and find its SERVICE endpoints."""
    scan = Scan()
    lexer = _Lexer()
    keep = "service" in text.lower()  # the tokens are kept only to resolve SERVICE endpoints
    kept: list[_Token] = []
    depth = 0
    for kind, word, token in _tokens(text, lexer):
        if kind == "op":
            scan.operators += 1
        elif kind == "open":
            depth += 1
            scan.nesting = max(scan.nesting, depth)
        elif kind == "close":
            depth = max(depth - 1, 0)
        elif word in CLAUSES:
            scan.clauses += 1
        if keep:
            kept.append(_Token(kind, token))
    scan.services = _services(kept) if keep else []
    return scan


def _tokens(text: str, lexer: _Lexer) -> Iterator[tuple[str, str, str]]:
    """Yield each token's kind, its upper-case text for a name, and its text.

    A '<' that compares (``lexer.compares``) is taken back from the IRI the regular
    expression matched, and lexing goes on right after it.
    """
    position = 0
    while position < len(text):
        for match in _TOKEN.finditer(text, position):
            kind = match.lastgroup or "other"
            if kind == "skip":
                continue
            token = match.group()
            if kind == "iri" and lexer.compares():
                less = _LESS.match(text, match.start())
                assert less is not None
                lexer.see("op", "", less.group())
                yield "op", "", less.group()
                position = less.end()
                break
            word = token.upper() if kind == "name" else ""
            lexer.see(kind, word, token)
            yield kind, word, token
        else:
            return


class _Lexer:
    """The little parse state that decides between an IRI and a comparison at '<'."""

    def __init__(self) -> None:
        self.stack: list[str] = []  # 'expression', 'paren', 'group' for each open bracket
        self.previous: tuple[str, str, str] = ("", "", "")
        self.before: tuple[str, str, str] = ("", "", "")
        self.mode = ""  # SELECT, BY, HAVING: their '(' hold expressions

    def compares(self) -> bool:
        """Tell whether a '<' here compares (after an operand, in an expression)."""
        if not self.stack or self.stack[-1] != "expression":
            return False
        kind, word, text = self.previous
        return (
            kind in ("var", "string", "lang", "number", "iri")
            or text == ")"
            or (kind == "name" and (":" in text or word in ("TRUE", "FALSE")))
        )

    def see(self, kind: str, word: str, text: str) -> None:
        """Update the state with the next token."""
        if word:
            if word in _EXPRESSION_MODES:
                self.mode = word
            elif word in _MODE_ENDS:
                self.mode = ""
        elif kind == "open":
            if text == "{":
                self.mode = ""
            self.stack.append(
                "group" if text != "(" else "expression" if self._opens_expression() else "paren"
            )
        elif kind == "close":
            if text == "}":
                self.mode = ""
            if self.stack:
                self.stack.pop()
        self.before, self.previous = self.previous, (kind, word, text)

    def _opens_expression(self) -> bool:
        if self.stack and self.stack[-1] != "group":
            return self.stack[-1] == "expression"  # collections and paths nest in themselves
        if self.mode:
            return True
        kind, word, text = self.previous
        if kind == "name" and ":" not in text:
            return word not in _PAREN_AFTER_WORD_NOT_EXPRESSION
        if kind in ("iri", "name"):  # a function call after FILTER, else a collection
            return self.before[1] == "FILTER"
        return False


def _services(tokens: list[_Token]) -> list[Service]:
    """Find each SERVICE and resolve its endpoint as the engine would (BASE, PREFIX)."""
    base: str | None = None
    prefixes: dict[str, str] = {}
    found: list[Service] = []
    for i, token in enumerate(tokens):
        word = token.text.upper() if token.kind == "name" else ""
        following = tokens[i + 1 : i + 3]
        if word == "BASE" and following and following[0].kind == "iri":
            base = _resolve(_iri_value(following[0].text), base)
        elif word == "PREFIX" and len(following) == 2 and following[1].kind == "iri":
            prefixes[following[0].text.removesuffix(":")] = _resolve(
                _iri_value(following[1].text), base
            )
        elif word == "SERVICE":
            found.append(_service(tokens[i + 1 : i + 3], base, prefixes))
    return found


def _service(after: list[_Token], base: str | None, prefixes: dict[str, str]) -> Service:
    if after and after[0].kind == "name" and after[0].text.upper() == "SILENT":
        after = after[1:]
    if not after:
        return Service("(no endpoint)", None)
    target = after[0]
    if target.kind == "iri":
        return Service(target.text, _resolve(_iri_value(target.text), base))
    if target.kind == "name" and ":" in target.text:
        prefix, _, local = target.text.partition(":")
        namespace = prefixes.get(prefix)
        endpoint = None if namespace is None else namespace + _LOCAL_ESCAPE.sub(r"\1", local)
        return Service(target.text, endpoint)
    return Service(target.text, None)


def _iri_value(written: str) -> str:
    """Return an IRI token's text without its brackets, \\u escapes decoded."""
    inner = written[1:-1]
    return _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), inner)


def _resolve(iri: str, base: str | None) -> str:
    return urllib.parse.urljoin(base, iri) if base else iri
