"""Claims: what the infobox counts and the curated prose facts state, with their text.

Each curated fact names the sentence it comes from; the build checks the sentence is in
the article and types each literal by its property's range in the ontology.
"""

from __future__ import annotations

import difflib

from kg_build.defaults import PREFIXES, RDF_TYPE, TP_IRI
from kg_build.errors import MappingError, SourceError
from kg_build.extract import Context
from kg_build.messages import quote
from kg_build.model import BulletList, Claim, InfoboxField, Paragraph, SourceRef
from kg_build.reference import FactEntry, FactTriple

_DECLARATIONS = {RDF_TYPE, PREFIXES["rdfs"] + "label"}


def extract_claims(ctx: Context) -> tuple[Claim, ...]:
    """Return the infobox's claims and the curated facts of this article."""
    counter: dict[int, int] = {}
    claims = [
        _infobox_claim(ctx, name, field, counter)
        for name in ctx.settings.infobox_claims
        for field in _stated(ctx, name)
    ]
    _warn_of_repeated_keys(ctx)
    for entry in ctx.reference.facts.get(ctx.stem, ()):
        src = _find_sentence(ctx, entry)
        claims.extend(_fact_claim(ctx, entry, triple, src, counter) for triple in entry.triples)
    return tuple(claims)


def _next_iri(ctx: Context, line: int, counter: dict[int, int]) -> str:
    counter[line] = counter.get(line, 0) + 1
    return ctx.iris.claim(ctx.stem, line, counter[line])


def _stated(ctx: Context, name: str) -> list[InfoboxField]:
    """Return the infobox fields of a claim's key: one for each value it states.

    A key that repeats with another value (``Competitors: 27`` then ``Competitors: 99``)
    states both, each kept as a claim with its line; an equal repeat states nothing new.
    """
    first = ctx.infobox(name)
    if first is None:
        return []
    by_value: dict[str, InfoboxField] = {}
    for field in ctx.article.infobox:
        if field.key == first.key:
            by_value.setdefault(field.value, field)
    return list(by_value.values())


def _warn_of_repeated_keys(ctx: Context) -> None:
    """Warn of each infobox key the build reads that repeats with another value."""
    settings = ctx.settings
    read = {key for keys in settings.infobox.values() for key in keys}
    read |= {key for medal in settings.medals for key in (medal.athletes, medal.noc)}
    claimed = {
        field.key: settings.infobox_claims[name]
        for name in settings.infobox_claims
        if (field := ctx.infobox(name)) is not None
    }
    values: dict[str, dict[str, InfoboxField]] = {}
    for field in ctx.article.infobox:
        if field.key in read:
            values.setdefault(field.key, {}).setdefault(field.value, field)
    for key, by_value in values.items():
        if len(by_value) < 2:
            continue
        fields = list(by_value.values())
        listed = ", ".join(f"'{f.value}' ({f.src})" for f in fields)
        kept = (
            f"each is kept as a tp:Claim of tp:{claimed[key]}"
            if key in claimed
            else "the first is used"
        )
        ctx.warn(fields[0].src, f"infobox key '{key}' has different values: {listed}; {kept}")


def _infobox_claim(ctx: Context, name: str, field: InfoboxField, counter: dict[int, int]) -> Claim:
    predicate = TP_IRI + ctx.settings.infobox_claims[name]
    if not field.value.isdigit():
        raise SourceError(
            field.src.path,
            field.src.line,
            f"{field.key} {quote(field.value)} is not a whole number",
        )
    return Claim(
        iri=_next_iri(ctx, field.src.line, counter),
        about=ctx.event,
        property=predicate,
        value=field.value,
        is_iri=False,
        datatype=ctx.vocab.data_ranges[predicate],
        source_kind="infobox",
        text=f"{field.key}: {field.value}",
        article=ctx.iris.article(ctx.stem),
        src=field.src,
    )


def _find_sentence(ctx: Context, entry: FactEntry) -> SourceRef:
    blocks = [*ctx.article.lead, *(b for s in ctx.article.walk() for b in s.blocks)]
    for block in blocks:
        if isinstance(block, Paragraph) and entry.sentence in block.text:
            return block.src
        if isinstance(block, BulletList):
            for item in block.items:
                if entry.sentence in item.text:
                    return item.src
    raise MappingError(
        entry.path, entry.line, f"sentence not found in {ctx.article.path}: '{entry.sentence}'"
    )


def _fact_claim(
    ctx: Context, entry: FactEntry, triple: FactTriple, src: SourceRef, counter: dict[int, int]
) -> Claim:
    predicate = RDF_TYPE if triple.predicate == "a" else _term(ctx, entry, triple, triple.predicate)
    subject = _reference(ctx, entry, triple, triple.subject)
    if predicate == RDF_TYPE or predicate in ctx.vocab.object_properties:
        if not isinstance(triple.object, str):
            raise MappingError(
                entry.path,
                triple.line,
                f"'{triple.predicate}' takes a reference, not {triple.object!r}",
            )
        value, is_iri, datatype = _reference(ctx, entry, triple, triple.object), True, None
        if predicate == RDF_TYPE and value not in ctx.vocab.classes:
            raise MappingError(
                entry.path, triple.line, f"'{triple.object}' is not a class of the ontology"
            )
    elif predicate in ctx.vocab.data_ranges:
        value, is_iri, datatype = str(triple.object), False, ctx.vocab.data_ranges[predicate]
    else:
        raise MappingError(
            entry.path, triple.line, f"'{triple.predicate}' is not a property of the ontology"
        )
    return Claim(
        iri=None if predicate in _DECLARATIONS else _next_iri(ctx, src.line, counter),
        about=subject,
        property=predicate,
        value=value,
        is_iri=is_iri,
        datatype=datatype,
        source_kind="prose",
        text=entry.sentence,
        article=ctx.iris.article(ctx.stem),
        src=src,
    )


def _reference(ctx: Context, entry: FactEntry, triple: FactTriple, ref: str) -> str:
    if ref == "event":
        return ctx.event
    if ref.startswith("event:"):
        return f"{ctx.event}/{ref.removeprefix('event:')}"
    if ref.startswith("id:"):
        return ctx.iris.resolve(ref.removeprefix("id:"))
    return _term(ctx, entry, triple, ref)


def _term(ctx: Context, entry: FactEntry, triple: FactTriple, ref: str) -> str:
    prefix, sep, local = ref.partition(":")
    if not sep or prefix not in PREFIXES:
        raise MappingError(
            entry.path,
            triple.line,
            f"'{ref}' is no reference (expected event, event:…, id:… or a prefixed term)",
        )
    iri = PREFIXES[prefix] + local
    if iri not in ctx.vocab.terms:
        known = [
            t.removeprefix(PREFIXES[prefix])
            for t in ctx.vocab.terms
            if t.startswith(PREFIXES[prefix])
        ]
        close = difflib.get_close_matches(local, known, n=1)
        hint = f" (did you mean '{prefix}:{close[0]}'?)" if close else ""
        raise MappingError(
            entry.path, triple.line, f"'{ref}' is not declared in the ontology{hint}"
        )
    return iri
