"""The in-memory driver: build every article, place the triples, validate the whole graph."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox
from msgspec import Struct
from msgspec.structs import replace
from rdflib import Graph

from kg_build.build.article import ArticleGraph, build_articles, raise_on_violations
from kg_build.build.config import (
    DEFAULT_CONFIG,
    Config,
    Loaded,
    article_files,
    bundled_sources,
    check_diagnostics,
    load_config,
    load_config_shapes,
)
from kg_build.build.describe import describe, sources_date
from kg_build.build.lines import as_quads, in_graph, sorted_ntriples, subject_iris
from kg_build.build.shared import (
    OntologyStated,
    OtherEditions,
    kept_links,
    links_ntriples,
    place,
)
from kg_build.defaults import FORMAT_SUFFIXES, MEDIA_TYPES, PREFIXES
from kg_build.mapping import as_sources, new_graph, rules_to_ntriples
from kg_build.model import Diagnostic, Extraction
from kg_build.rdf.iris import Iris
from kg_build.rdf.serialize import graph_to_bytes, trig_from_nquads, turtle_from_ntriples
from kg_build.store.load import ONTOLOGY_GRAPH, GraphData, graph_data, open_store
from kg_build.validate import Finding, Validator


class Built(Struct, frozen=True, dict=True):
    """A validated graph, the records it came from and what the build reports.

    ``named`` holds each named graph as sorted N-Triples; ``ntriples`` their union.
    """

    ntriples: bytes
    named: tuple[tuple[str, bytes], ...]
    extractions: tuple[Extraction, ...]
    loaded: Loaded
    findings: tuple[Finding, ...] = ()  # the SHACL results (warnings), for the report

    @cached_property
    def graph(self) -> Graph:
        """The union of the named graphs as an rdflib graph, read when first asked for."""
        graph = new_graph()
        graph.parse(data=self.ntriples, format="nt")
        return graph

    @property
    def size(self) -> int:
        """The number of triples in the union."""
        return self.ntriples.count(b"\n")

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """What the extraction reports about the articles, article by article."""
        return tuple(d for e in self.extractions for d in e.diagnostics)

    @property
    def warnings(self) -> tuple[Diagnostic | Finding, ...]:
        """What the build warns of: the articles' diagnostics, then the SHACL warnings."""
        shacl = [f for f in self.findings if f.severity != "Violation"]
        return (*self.diagnostics, *shacl)

    def serialize(self, fmt: str) -> bytes:
        """Return the graph in ``fmt`` (one named graph per article in N-Quads and TriG)."""
        if fmt == "nt":
            return self.ntriples
        if fmt == "turtle":
            return turtle_from_ntriples(self.ntriples, PREFIXES)
        if fmt == "nquads":
            return b"".join(sorted(q for n, g in self.named for q in as_quads([g], n)))
        if fmt == "trig":
            return trig_from_nquads(self.serialize("nquads"))
        return graph_to_bytes(self.graph, fmt)


def build(paths: Sequence[Path], config: Config = DEFAULT_CONFIG) -> Built:
    """Build and validate the graph of ``paths`` (the bundled sources when empty).

    Raises ValidationFailed, listing every violation, when the graph does not conform.
    """
    assembled = assemble(paths, config)
    return accepted(assembled, shacl_findings(assembled, config))


def assemble(paths: Sequence[Path], config: Config = DEFAULT_CONFIG) -> Built:
    """Build the graph of ``paths``, not yet validated: ``accepted`` with its findings is.

    ``kg build`` writes (staged) while the graph is validated in a child process
    (build/overlap.py); ``build`` does one after the other.
    """
    loaded = load_config(config)
    articles = list(build_articles(article_files(paths), loaded))
    check_diagnostics([d for a in articles for d in a.diagnostics], config.strict)
    iris = Iris(config.base)
    named = place(_editions_placed(articles), iris.shared_graph())
    links = loaded.links
    described = {s for _, ntriples in named for s in subject_iris(ntriples)}
    linked = links_ntriples(loaded, kept_links(links, described, loaded))
    if linked:
        named.append((iris.links_graph(), linked))
    union = sorted_ntriples(line for _, g in named for line in g.splitlines(keepends=True))
    extractions = tuple(a.extraction for a in articles)
    return Built(union, tuple(named), extractions, loaded)


def shacl_findings(built: Built, config: Config) -> list[Finding]:
    """Validate the built graph against the shapes; return every result."""
    shapes = load_config_shapes(config, built.loaded)
    return Validator(shapes, config.validator, config.shapes).ntriples(built.ntriples, "graph")


def accepted(built: Built, findings: Sequence[Finding]) -> Built:
    """Return ``built`` with its SHACL findings; raise ValidationFailed on a violation."""
    raise_on_violations(findings, "the built graph", "nothing written")
    return replace(built, findings=tuple(findings))


def _editions_placed(articles: Sequence[ArticleGraph]) -> list[tuple[str, bytes]]:
    """Return each article's lines, its tp:OtherEdition typing only of undescribed editions."""
    editions = OtherEditions()
    held = [(a.name, editions.hold(a.ntriples, a.name, a.event)) for a in articles]
    back: dict[str, list[bytes]] = {}
    for line, names in editions.undescribed():
        for name in names:
            back.setdefault(name, []).append(line)
    return [(name, ntriples + b"".join(back.get(name, []))) for name, ntriples in held]


def graphs_to_load(
    built: Built, config: Config, single_graph: str | None = None
) -> list[GraphData]:
    """Return the named graphs a store receives: one per article and the ontology.

    With ``single_graph``, everything but the ontology goes into that one graph instead.
    """
    ontology = built.loaded.ontology_nt
    stated = OntologyStated(ontology)
    if single_graph:
        return [graph_data(single_graph, stated.data_lines(built.ntriples))]
    graphs = [graph_data(name, stated.data_lines(ntriples)) for name, ntriples in built.named]
    return [*graphs, graph_data(ONTOLOGY_GRAPH, ontology)]


def load_embedded(built: Built, config: Config, path: Path) -> int:
    """Replace the built graphs in the embedded store at ``path``; return the quads loaded.

    One bulk load of all graphs as N-Quads: it writes the store's files directly, where a
    transactional load per graph and a flush took twice as long (0.22 → 0.13 s, bundled).
    """
    graphs = graphs_to_load(built, config)
    store = open_store(path)
    for graph in graphs:  # a build loads a new store generation; an old one: replaced
        store.remove_graph(ox.NamedNode(graph.name))
    nquads = b"".join(in_graph(graph.lines, graph.name) for graph in graphs)
    store.bulk_load(input=nquads, format=ox.RdfFormat.N_QUADS)
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
        built.ntriples,
        config.base,
        [e.article.iri for e in built.extractions],
        sizes,
        sources_date(sources or bundled_sources()),
    )
    loaded = built.loaded
    ntriples = rules_to_ntriples(loaded.rules, as_sources(records), loaded.vocab, relative=True)
    return turtle_from_ntriples(ntriples, PREFIXES)


def _typed(files: Mapping[str, bytes]) -> dict[str, tuple[str, bytes]]:
    by_suffix = {suffix: fmt for fmt, suffix in FORMAT_SUFFIXES.items()}
    return {name: (by_suffix[Path(name).suffix], data) for name, data in files.items()}
