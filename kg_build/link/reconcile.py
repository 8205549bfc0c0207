"""Wikidata reconciliation of a built graph: proposals for unlinked people and NOCs."""

from __future__ import annotations

from msgspec import Struct

from kg_build.build.config import Config
from kg_build.build.memory import Built
from kg_build.curated.reference import curated_folders, read_merged
from kg_build.defaults import PREFIXES
from kg_build.errors import LinkError, MappingError
from kg_build.link.wikidata import (
    LINK_SET,
    Candidate,
    WikidataClient,
    linkable_entities,
    load_link_set,
    reconcile_noc,
    reconcile_person,
    review_rows,
)
from kg_build.messages import display_path


class Reconciliation(Struct, frozen=True):
    """The review file's text, and what could not be asked."""

    review: str
    proposals: int
    unanswered: tuple[str, ...]


def wikidata_item(config: Config, label: str) -> str:
    """Return a checked Wikidata item by its label (mappings/curated/wikidata-items.tsv)."""
    folders = curated_folders(config.mappings, config.project)
    rows = read_merged(folders, "wikidata-items.tsv")
    found = next((row["qid"] for _, _, row in rows if row["label"] == label), None)
    if found is None:
        shown = display_path(folders[-1] / "wikidata-items.tsv")
        raise MappingError(shown, None, f"no checked item labelled '{label}'")
    return PREFIXES["wd"] + found


def reconcile(built: Built, config: Config, client: WikidataClient) -> Reconciliation:
    """Propose Wikidata items for unlinked people and NOCs into an SSSOM review file."""
    link_set = load_link_set(config.mappings_for(LINK_SET), config.base)
    human = wikidata_item(config, "human")
    candidates: list[Candidate] = []
    unanswered: list[str] = []
    for entity in linkable_entities(built.graph, link_set):
        try:
            if entity.kind in ("Athlete", "Person"):
                candidates += reconcile_person(client, entity, human)
            elif entity.kind == "NOC":
                candidates += reconcile_noc(client, entity)
        except LinkError as e:
            if not client.offline:
                raise
            unanswered.append(f"{entity.iri}: {e.message}")
    review = review_rows(candidates, config.base, link_set.date, client.endpoint)
    return Reconciliation(review, len(candidates), tuple(unanswered))
