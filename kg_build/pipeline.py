"""The build: parse → extract → map → validate → serialize (linking comes with its issue)."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph
from rdflib.namespace import RDF
from rdflib.term import Node

from kg_build.curated.reference import Reference, curated_folders, load_reference, read_merged
from kg_build.curated.settings import SETTINGS_FILE, Settings, check_settings, load_settings
from kg_build.defaults import (
    DEFAULT_BASE,
    DEFAULT_ENGINE,
    FORMAT_SUFFIXES,
    MAPPINGS,
    MEDIA_TYPES,
    ONTOLOGY,
    PREFIXES,
    SHAPES,
    SOURCES,
    SOURCES_NAME,
    STDIN,
    STDIN_NAME,
)
from kg_build.describe import describe, sources_date
from kg_build.errors import (
    ArticlesNotBuilt,
    LinkError,
    MappingError,
    SourceError,
    ValidationFailed,
)
from kg_build.extract import Inputs, extract_article
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
from kg_build.mapping import (
    RULES_DIR,
    MappingRule,
    apply_rules,
    as_sources,
    load_rules,
    named_dataset,
    new_graph,
    record_sources,
    union_graph,
)
from kg_build.mapping.languages import LANGUAGE_FILE, load_languages
from kg_build.mapping.rml import rml_sources
from kg_build.mapping.vocabulary import Descriptions, describe_used, ontology_descriptions
from kg_build.model import Article, Diagnostic, Extraction, Level, Vocabulary
from kg_build.parse.article import display_path, parse_article, parse_bytes
from kg_build.rdf.iris import Iris
from kg_build.rdf.namespaces import TP
from kg_build.rdf.ontology import load_ontology, vocabulary
from kg_build.rdf.rdffile import read_rdf
from kg_build.rdf.serialize import DATASET_FORMATS, dataset_to_bytes, graph_to_bytes
from kg_build.store.load import ONTOLOGY_GRAPH, GraphData, graph_data, open_store, replace_graphs
from kg_build.validate import Finding, Validator, load_shapes


@dataclass(frozen=True, slots=True)
class Config:
    """Where the ontology, mappings and shapes are, and the base of the data IRIs."""

    ontology: Path = ONTOLOGY
    mappings: Path = MAPPINGS
    shapes: Path = SHAPES
    base: str = DEFAULT_BASE
    validator: str = DEFAULT_ENGINE  # the SHACL engine (pySHACL is the reference)
    strict: bool = False  # every diagnostic about an article is an error
    # A project folder's own mappings/ (kg_build/curated/project.py): its extraction.yaml,
    # rules/ and link set replace those of ``mappings`` where it has them; its curated rows
    # and facts add.
    project: Path | None = None

    def mappings_for(self, name: str) -> Path:
        """Return the mappings folder to read ``name`` from: the project's if it has one."""
        if self.project is not None and (self.project / name).exists():
            return self.project
        return self.mappings


@dataclass(frozen=True, slots=True)
class Built:
    """A validated graph, the records it came from and what the build reports."""

    graph: Graph
    named: tuple[tuple[str, Graph], ...]
    extractions: tuple[Extraction, ...]
    loaded: Loaded
    findings: tuple[Finding, ...] = ()  # the SHACL results (warnings), for the report

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """What the extraction reports about the articles, article by article."""
        return tuple(d for e in self.extractions for d in e.diagnostics)

    @property
    def warnings(self) -> tuple[str, ...]:
        """Every line the build warns with: the articles' diagnostics, then SHACL warnings."""
        shacl = [str(f) for f in self.findings if f.severity != "Violation"]
        return tuple([str(d) for d in self.diagnostics] + shacl)

    def serialize(self, fmt: str) -> bytes:
        """Return the graph in ``fmt`` (one named graph per article in N-Quads and TriG)."""
        if fmt in DATASET_FORMATS:
            return dataset_to_bytes(named_dataset(self.named), fmt)
        return graph_to_bytes(self.graph, fmt)


def bundled_sources() -> list[Path]:
    """Return the article files of the bundled ``sources/`` folder, sorted by name."""
    sources = sorted(SOURCES.glob("*.txt"))
    if not sources:
        raise SourceError(SOURCES.as_posix(), None, "no bundled articles (expected *.txt)")
    return sources


def article_files(paths: Sequence[Path]) -> list[Path]:
    """Return the article files to build: a folder stands for its sorted ``*.txt``.

    With no paths, the bundled sources. A folder keeps a large corpus off the command line.
    """
    if not paths:
        return bundled_sources()
    files: list[Path] = []
    for path in paths:
        files += sorted(path.glob("*.txt")) if path.is_dir() else [path]
    return files


def parse_sources(paths: Sequence[Path]) -> tuple[Article, ...]:
    """Parse each article in order; ``-`` reads one article from standard input."""
    return tuple(_parse_one(p) for p in paths)


def _parse_one(path: Path) -> Article:
    if path.as_posix() == STDIN:
        return parse_bytes(sys.stdin.buffer.read(), STDIN_NAME)
    return parse_article(path)


@dataclass(frozen=True, slots=True)
class Loaded:
    """The ontology, rules, settings and curated data, read once per build."""

    ontology: Graph
    vocab: Vocabulary
    settings: Settings
    reference: Reference
    rules: tuple[MappingRule, ...]
    inputs: Inputs
    descriptions: Descriptions  # the ontology's description of each of its individuals


def load_config(config: Config) -> Loaded:
    """Read everything a build needs besides the articles."""
    ontology = load_ontology(config.ontology)
    rules_folder = config.mappings_for(RULES_DIR) / RULES_DIR
    vocab = _with_languages(vocabulary(ontology), rules_folder, config)
    settings = load_settings(config.mappings_for(SETTINGS_FILE))
    check_settings(
        settings, vocab, display_path(config.mappings_for(SETTINGS_FILE) / SETTINGS_FILE)
    )
    reference = load_reference(config.mappings, config.project)
    return Loaded(
        ontology=ontology,
        vocab=vocab,
        settings=settings,
        reference=reference,
        rules=load_rules(rules_folder, vocab),
        inputs=Inputs(settings, reference, vocab, Iris(config.base)),
        descriptions=ontology_descriptions(ontology, vocab.individuals),
    )


def _with_languages(vocab: Vocabulary, rules_folder: Path, config: Config) -> Vocabulary:
    """Add the language table of the rules (a project's rules without one: the packaged one)."""
    if not (rules_folder / LANGUAGE_FILE).exists():
        rules_folder = config.mappings / RULES_DIR
    return dataclasses.replace(vocab, languages=load_languages(rules_folder, vocab))


def extract_sources(
    paths: Sequence[Path], config: Config = Config(), loaded: Loaded | None = None
) -> tuple[tuple[Extraction, ...], tuple[tuple[str, Graph], ...]]:
    """Parse, extract and map ``paths`` (the bundled sources when empty); no validation.

    Returns the records and one graph per article, named by the article's IRI.
    """
    data = loaded or load_config(config)
    extractions = tuple(_extractions(paths, config, data))
    named = []
    for extraction in extractions:
        graph = new_graph()
        apply_rules(data.rules, record_sources(extraction), data.vocab, graph)
        named.append((extraction.article.iri, graph))
    return extractions, tuple(named)


def _extractions(paths: Sequence[Path], config: Config, data: Loaded) -> Iterator[Extraction]:
    """Parse and extract each article in turn (the bundled sources when ``paths`` is empty)."""
    for article in parse_sources(article_files(paths)):
        yield extract_article(article, data.inputs, _graph_file(article))


def records_json(paths: Sequence[Path], config: Config = Config()) -> bytes:
    """Return the records of ``paths`` as JSON, one list per mapping source name."""
    # Records only: mapping every article's graph too took 13.8 GB at 10,000 articles.
    loaded = load_config(config)
    merged: dict[str, list[dict[str, Any]]] = {}
    for extraction in _extractions(paths, config, loaded):
        for name, records in rml_sources(record_sources(extraction), loaded.rules).items():
            merged.setdefault(name, []).extend(records)
    # The curated links of the records' entities, as the build maps them (_links_graph).
    # A record describes its iri; a statement (claim) describes what it is about.
    described = {
        r[k] for records in merged.values() for r in records for k in ("iri", "about") if r.get(k)
    }
    links = load_link_set(config.mappings_for(LINK_SET), config.base).links
    present = [k for k in links if k.entity in described | loaded.vocab.individuals]
    merged.update(as_sources({"links": present}))
    text = json.dumps(dict(sorted(merged.items())), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def _graph_file(article: Article) -> str:
    """Name an article's file in the graph, never absolute, the same wherever kg is installed.

    A bundled article is ``sources/<file>``; another file is named relative to the working
    folder when it lies below it, else by its file name.
    """
    path = Path(os.path.abspath(article.path))
    resolved, bundled = path.resolve(), SOURCES.resolve()
    if resolved.is_relative_to(bundled):
        return Path(SOURCES_NAME, resolved.relative_to(bundled)).as_posix()
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.name


def build(paths: Sequence[Path], config: Config = Config()) -> Built:
    """Build and validate the graph of ``paths`` (the bundled sources when empty).

    Raises ValidationFailed, listing every violation, when the graph does not conform.
    """
    loaded = load_config(config)
    extractions, per_article = extract_sources(paths, config, loaded)
    check_diagnostics([d for e in extractions for d in e.diagnostics], config.strict)
    iris = Iris(config.base)
    # Each article's graph describes the vocabulary it uses; a description several articles
    # need then stands once, in the shared graph, like any triple several articles state.
    for _, article_graph in per_article:
        describe_used(article_graph, loaded.descriptions)
    named = split_shared(drop_described_editions(per_article), iris.shared_graph())
    links = _links_graph([g for _, g in named], config, loaded)
    if len(links):
        named = (*named, (iris.links_graph(), links))
    graph = union_graph(g for _, g in named)
    shapes = load_shapes(config.shapes, loaded.vocab)
    findings = Validator(shapes, config.validator, config.shapes).graph(graph, "graph")
    _raise_on_violations(findings, "the built graph", "nothing written")
    return Built(graph, named, extractions, loaded, tuple(findings))


def check_diagnostics(found: Sequence[Diagnostic], strict: bool) -> None:
    """Stop the build if our curated data lacks rows, or (with --strict) at any diagnostic."""
    missing = [d for d in found if d.level is Level.MISSING]
    if missing:
        rows = "row" if len(missing) == 1 else "rows"
        raise ArticlesNotBuilt(
            missing, f"{len(missing)} curated {rows} missing (kg check lists them); nothing written"
        )
    unread = [d for d in found if d.level is Level.DIAGNOSTIC]
    if strict and unread:
        raise ArticlesNotBuilt(unread, f"{len(unread)} diagnostics with --strict; nothing written")


def _raise_on_violations(findings: list[Finding], what: str, outcome: str = "") -> None:
    violations = [str(f) for f in findings if f.severity == "Violation"]
    if violations:
        raise ValidationFailed(what, violations, outcome, tuple(findings))


def validate_file(
    path: Path, config: Config = Config(), fmt: str = "turtle", allow_warnings: bool = False
) -> list[Finding]:
    """Validate a graph file against the shapes: the union of all its graphs' triples.

    The file is read in ``fmt`` with every literal as written (``kg_build/rdf/rdffile.py``).
    Raises ValidationFailed on a violation; and on a warning or info too, unless
    ``allow_warnings``: SHACL §3.6.1 says that a report with any result does not conform.
    """
    shown = path.as_posix()
    text = read_rdf(path, fmt, shown)
    vocab = vocabulary(load_ontology(config.ontology))
    validator = Validator(load_shapes(config.shapes, vocab), config.validator, config.shapes)
    findings = validator.ntriples(text.ntriples, shown)
    _raise_on_violations(findings, shown)
    if findings and not allow_warnings:
        said = [_counted(findings, s) for s in sorted({f.severity for f in findings})]
        raise ValidationFailed(
            shown,
            [],
            "a graph with any SHACL result does not conform (SHACL §3.6.1); "
            "--allow-warnings accepts warnings and infos",
            tuple(findings),
            summary=", ".join(said) + " and no violations",
        )
    return findings


def _counted(findings: list[Finding], severity: str) -> str:
    count = sum(f.severity == severity for f in findings)
    word = {"Warning": "warning", "Info": "info"}.get(severity)
    if word is None:  # a severity of the shapes' own (SHACL §2.1.5)
        return f"{count} SHACL result{'' if count == 1 else 's'} of severity {severity}"
    return f"{count} SHACL {word}{'' if count == 1 else 's'}"


def _links_graph(graphs: Sequence[Graph], config: Config, loaded: Loaded) -> Graph:
    """Map the curated links whose subject is in the graphs or is an ontology individual."""
    # The subjects of each graph, not of their union: building the union costs a copy.
    subjects = {str(s) for graph in graphs for s in graph.subjects()} | loaded.vocab.individuals
    links = [
        link
        for link in load_link_set(config.mappings_for(LINK_SET), config.base).links
        if link.entity in subjects
    ]
    linked = new_graph()
    apply_rules(loaded.rules, as_sources({"links": links}), loaded.vocab, linked)
    return linked


def drop_described_editions(
    named: Sequence[tuple[str, Graph]],
) -> tuple[tuple[str, Graph], ...]:
    """Untype as tp:OtherEdition every edition that an article of the build describes.

    An article types the editions it names only as previous or next tp:OtherEdition; where
    another article of the same build describes that edition, it is a tp:Event, and the union
    of the graphs must not call it both (`?e a tp:Event` finds what the graph describes).
    """
    events = {s for _, graph in named for s in graph.subjects(RDF.type, TP.Event)}
    for _, graph in named:
        for event in events:
            graph.remove((event, RDF.type, TP.OtherEdition))
    return tuple(named)


def split_shared(
    named: Sequence[tuple[str, Graph]], shared_name: str
) -> tuple[tuple[str, Graph], ...]:
    """Move triples that several articles state into one shared graph.

    A store's default graph is the union of its named graphs; a triple in two graphs would
    answer twice there. Each triple therefore lives in exactly one named graph.
    """
    seen: dict[tuple[Node, Node, Node], int] = {}
    for _, graph in named:
        for triple in graph:
            seen[triple] = seen.get(triple, 0) + 1
    shared = new_graph()
    for triple, count in seen.items():
        if count > 1:
            shared.add(triple)
    result = []
    for name, graph in named:
        own = new_graph()
        for triple in graph:
            if seen[triple] == 1:
                own.add(triple)
        result.append((name, own))
    return (*result, (shared_name, shared)) if len(shared) else tuple(result)


def graphs_to_load(
    built: Built, config: Config, single_graph: str | None = None
) -> list[GraphData]:
    """Return the named graphs a store receives: one per article and the ontology.

    With ``single_graph``, everything but the ontology goes into that one graph instead.
    """
    # A store answers each triple once: the ontology's graph states the vocabulary's
    # descriptions that the data graphs copy for users of the files, so the store's data
    # graphs leave them to it.
    stated = set(built.loaded.ontology)
    ontology = graph_to_bytes(built.loaded.ontology, "nt")
    if single_graph:
        return [graph_data(single_graph, graph_to_bytes(_without(built.graph, stated), "nt"))]
    graphs = [
        graph_data(name, graph_to_bytes(_without(graph, stated), "nt"))
        for name, graph in built.named
    ]
    return [*graphs, graph_data(ONTOLOGY_GRAPH, ontology)]


def _without(graph: Graph, stated: set[tuple[Node, Node, Node]]) -> Graph:
    """Return a copy of ``graph`` without the triples in ``stated``."""
    kept = new_graph()
    for triple in graph:
        if triple not in stated:
            kept.add(triple)
    return kept


def load_embedded(built: Built, config: Config, path: Path) -> int:
    """Replace the built graphs in the embedded store at ``path``; return the quads loaded."""
    graphs = graphs_to_load(built, config)
    replace_graphs(open_store(path), graphs)
    return sum(g.size for g in graphs)


def describe_build(
    built: Built, config: Config, files: Mapping[str, bytes], sources: Sequence[Path]
) -> bytes:
    """Return the VoID/DCAT description (Turtle) of the built graph and the files written."""
    sizes = {
        Path(name).name: (MEDIA_TYPES[fmt], len(data))
        for name, (fmt, data) in _typed(files).items()
    }
    records = describe(
        built.graph,
        config.base,
        [e.article.iri for e in built.extractions],
        sizes,
        sources_date(sources or bundled_sources()),
    )
    graph = new_graph()
    apply_rules(built.loaded.rules, as_sources(records), built.loaded.vocab, graph)
    return graph_to_bytes(graph, "turtle")


def _typed(files: Mapping[str, bytes]) -> dict[str, tuple[str, bytes]]:
    by_suffix = {suffix: fmt for fmt, suffix in FORMAT_SUFFIXES.items()}
    return {name: (by_suffix[Path(name).suffix], data) for name, data in files.items()}


@dataclass(frozen=True, slots=True)
class Reconciliation:
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
