"""Round days the lead states ("held on 13 February (semifinals) and 15 February (final)").

Each day the lead gives a round, and the day the round's own section or schedule row gives
it, is a claim of tp:statedDate with its text and line, so that a lead that disagrees with
the results stands beside them; the build warns of each disagreement (round-date-conflict).
Nothing is guessed: a lead item whose round names are not all the article's rounds is not read.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from msgspec import Struct

from kg_build.extract.rounds import RoundRead, sentences
from kg_build.extract.scope import Scope
from kg_build.extract.values import BadValue, parse_day
from kg_build.messages import quote
from kg_build.model import Claim, Diagnostic, Paragraph, SourceRef
from kg_build.model.diagnostics import diagnostic
from kg_build.rdf.namespaces import TP
from kg_build.rdf.ontology import typed_literal

_NAMES = re.compile(r", and |, | and ")


class RoundDaysOut(Struct, frozen=True):
    """The claims of the days stated for rounds, and where the lead disagrees."""

    claims: tuple[Claim, ...]
    diagnostics: tuple[Diagnostic, ...]


class _LeadDay(Struct, frozen=True):
    round: RoundRead
    day: str  # as written
    iso: str
    sentence: str
    src: SourceRef


def stated_round_days(
    scope: Scope, rounds: tuple[RoundRead, ...], next_iri: Callable[[int], str]
) -> RoundDaysOut:
    """Return a claim for each round day the lead states and for the round's own day."""
    claims: list[Claim] = []
    found: list[Diagnostic] = []
    own_done: set[str] = set()
    for lead in _lead_days(scope, rounds):
        claims.append(
            _claim(scope, lead.round, lead.iso, "prose", lead.sentence, lead.src, next_iri)
        )
        read = lead.round
        if read.day is None or read.round.local_date is None:
            continue
        own = read.round.local_date.isoformat()
        if read.round.iri not in own_done:
            own_done.add(read.round.iri)
            claims.append(
                _claim(scope, read, own, read.day.kind, read.day.text, read.day.src, next_iri)
            )
        if own != lead.iso:
            found.append(_conflict(lead, own))
    return RoundDaysOut(tuple(claims), tuple(found))


def _lead_days(scope: Scope, rounds: tuple[RoundRead, ...]) -> list[_LeadDay]:
    """Read each ``day (round names)`` of the lead whose names are all rounds of the article."""
    days: list[_LeadDay] = []
    for block in scope.article.lead:
        if not isinstance(block, Paragraph):
            continue
        for sentence in sentences(block.text):
            for match in scope.settings.lead_round_day.finditer(sentence):
                named = [_round_named(name, rounds) for name in _NAMES.split(match["rounds"])]
                if not named or any(r is None for r in named):
                    continue
                try:
                    iso = parse_day(match["day"], scope.span, scope.title.year).isoformat()
                except BadValue:
                    continue
                days += [_LeadDay(r, match["day"], iso, sentence, block.src) for r in named if r]
    return days


def _round_named(name: str, rounds: tuple[RoundRead, ...]) -> RoundRead | None:
    """Return the round a lead names (``final`` for the section ``Finals``), if one alone."""
    wanted = name.strip().lower()
    found = [r for r in rounds if r.round.title.lower() in (wanted, wanted + "s")]
    return found[0] if len(found) == 1 else None


def _claim(
    scope: Scope,
    read: RoundRead,
    iso: str,
    kind: str,
    text: str,
    src: SourceRef,
    next_iri: Callable[[int], str],
) -> Claim:
    predicate = str(TP.statedDate)
    return Claim(
        iri=next_iri(src.line),
        about=read.round.iri,
        property=predicate,
        value=typed_literal(iso, scope.inputs.vocab.data_ranges[predicate]),
        source_kind=kind,
        text=text,
        article=scope.iris.article(scope.stem),
        src=src,
    )


def _conflict(lead: _LeadDay, own: str) -> Diagnostic:
    read = lead.round
    assert read.day is not None
    title = read.round.title
    return diagnostic(
        "round-date-conflict",
        lead.src,
        f"the lead puts round {quote(title)} on {lead.day}; its own "
        f"{'schedule row' if read.day.kind == 'table' else 'sentence'} (line {read.day.src.line}) "
        f"on {read.day.day}: both kept as claims of tp:statedDate ({lead.iso}, {own})",
        lead.sentence,
        "both days as tp:Claim; the round's tp:localDate from its own section",
    )
