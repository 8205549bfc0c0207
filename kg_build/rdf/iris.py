"""The only code that mints IRIs: readable, stable paths under one configurable base.

Every resource a user may want to reference gets an IRI here, never a blank node:
``{base}event/2020-cycling-mens-team-pursuit/round/first-round/heat/3``.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from msgspec import Struct

from kg_build.defaults import DEFAULT_BASE

# Letters that NFKD does not split into a base letter and a mark.
_TRANSLITERATIONS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ł": "l",
        "Ł": "l",
        "œ": "oe",
        "Œ": "oe",
        "þ": "th",
        "Þ": "th",
        "\u0131": "i",  # dotless i
    }
)
# ' and its typographic look-alikes (U+2019, U+2018, U+0060, U+00B4) vanish from slugs.
_APOSTROPHES = re.compile("['\u2019\u2018\u0060\u00b4]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=1 << 16)  # names recur: a person's slug is wanted ~10 times an article
def slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens: "Kelland O'Brien" → "kelland-obrien"."""
    plain = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATIONS))
    ascii_text = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    ascii_text = _APOSTROPHES.sub("", ascii_text)
    return _NON_ALNUM.sub("-", ascii_text).strip("-")


class Iris(Struct, frozen=True):
    """IRI templates under ``base`` (which must end with ``/`` or ``#``)."""

    base: str = DEFAULT_BASE

    def _iri(self, *parts: str) -> str:
        return self.base + "/".join(parts)

    def resolve(self, path: str) -> str:
        """Return the IRI of a path under the base, as curated data writes it (``noc/GBR``)."""
        return self._iri(path)

    def article(self, stem: str) -> str:
        """Return the IRI of a source article, by its file stem."""
        return self._iri("article", stem)

    def claim(self, stem: str, line: int, index: int) -> str:
        """Return the IRI of the ``index``-th claim read from ``line`` of an article."""
        return self._iri("article", stem, "line", str(line), "claim", str(index))

    def shared_graph(self) -> str:
        """Return the name of the graph of triples that several articles state."""
        return self._iri("graph", "shared")

    def links_graph(self) -> str:
        """Return the name of the graph of curated Wikidata links."""
        return self._iri("graph", "links")

    def games(self, year: int, season: str) -> str:
        """Return the IRI of a Games edition: ``games/2020-summer``."""
        return self._iri("games", f"{year}-{slug(season)}")

    def sport(self, name: str) -> str:
        """Return the IRI of a sport by its name."""
        return self._iri("sport", slug(name))

    def discipline(self, key: str) -> str:
        """Return the IRI of a discipline by its name or slug."""
        return self._iri("discipline", slug(key))

    def venue(self, name: str) -> str:
        """Return the IRI of a venue by its name."""
        return self._iri("venue", slug(name))

    def noc(self, code: str) -> str:
        """Return the IRI of an NOC by its IOC code: ``noc/ROC``."""
        return self._iri("noc", code.upper())

    def person(self, name: str) -> str:
        """Return the IRI of a person by their full name: ``person/sverre-lunde-pedersen``."""
        return self._iri("person", slug(name))

    def event(self, year: int, sport: str, name: str) -> str:
        """Return the IRI of an event: ``event/2020-cycling-mens-team-pursuit``."""
        return self._iri("event", f"{year}-{slug(sport)}-{slug(name)}")

    def team(self, event: str, noc: str) -> str:
        """Return the IRI of an NOC's team entry in an event."""
        return f"{event}/team/{noc.upper()}"

    def round(self, event: str, title: str) -> str:
        """Return the IRI of a round by its section title: ``…/round/first-round``."""
        return f"{event}/round/{slug(title)}"

    def heat(self, round_iri: str, number: int) -> str:
        """Return the IRI of a numbered heat of a round."""
        return f"{round_iri}/heat/{number}"

    def race(self, round_iri: str, label: str) -> str:
        """Return the IRI of a race named by a group row: ``…/race/final-a``."""
        return f"{round_iri}/race/{slug(label)}"

    def result(self, round_iri: str, noc: str) -> str:
        """Return the IRI of a team's result in a round."""
        return f"{round_iri}/result/{noc.upper()}"

    def missing(self, subject: str, property_name: str) -> str:
        """Return the IRI of the missing value of ``property_name`` on ``subject``."""
        return f"{subject}/missing/{property_name}"

    def team_medal(self, event: str, medal: str) -> str:
        """Return the IRI of a medal awarded to a team: ``…/medal/gold``."""
        return f"{event}/medal/{slug(medal)}"

    def athlete_medal(self, event: str, medal: str, name: str) -> str:
        """Return the IRI of a medal awarded to one athlete of the medal team."""
        return f"{event}/medal/{slug(medal)}/{slug(name)}"

    def record(self, event: str, code: str, round_title: str, noc: str) -> str:
        """Return the IRI of a record set in an event: ``…/record/wr/first-round/ITA``."""
        return f"{event}/record/{slug(code)}/{slug(round_title)}/{noc.upper()}"

    def standing_record(self, event: str, code: str) -> str:
        """Return the IRI of a record standing at an event's start: ``…/record-before/wr``."""
        return f"{event}/record-before/{slug(code)}"
