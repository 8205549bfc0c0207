"""Issue 21, "a graph a SPARQL user can guess": English text is @en, names and codes plain, sources IRIs.

One table (``mappings/rules/language.yaml``) says which string literals are English text; the
map stage applies it to every literal (rules, facts files, curated rows), the ontology's ranges
and ``shapes/text.ttl`` say the same, and these tests hold the four to each other.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SH, XSD

from kg_build.build.config import Config
from kg_build.build.memory import Built, build, describe_build
from kg_build.build.records import extract_sources
from kg_build.defaults import ENGINES
from kg_build.errors import MappingError
from kg_build.mapping.languages import load_languages
from kg_build.model import LanguageTable
from kg_build.rdf.ontology import load_ontology, vocabulary
from kg_build.validate import Validator, load_shapes
from tests.conftest import FAMILY, FAMILY_ARTICLES, ROOT
from tests.test_curated import MIRROR_HOSTS

TP = "https://w3id.org/team-pursuit/ontology#"
ID = "https://w3id.org/team-pursuit/id/"
TPS = "https://w3id.org/team-pursuit/shapes#"
TABLE_FILE = ROOT / "mappings" / "rules" / "language.yaml"
VOCAB = vocabulary(load_ontology(ROOT / "ontology" / "tp.ttl"))
TABLE = load_languages(ROOT / "mappings" / "rules", VOCAB)
SHAPES = load_shapes(ROOT / "shapes", VOCAB)
CYCLING_EVENT = URIRef(ID + "event/2020-cycling-mens-team-pursuit")
GANNA = URIRef(ID + "person/filippo-ganna")


def _table() -> LanguageTable:
    assert TABLE is not None
    return TABLE


def _is_english(term: object) -> bool:
    return isinstance(term, Literal) and term.language == "en" and term.datatype is None


def _is_plain(term: object) -> bool:
    return (
        isinstance(term, Literal) and term.language is None and term.datatype in (None, XSD.string)
    )


def _expected_english(graph: Graph, s: URIRef, p: URIRef) -> bool:
    """Return whether the table makes a string literal of ``s`` ``p`` English text."""
    table = _table()
    if p == RDF.object:  # a claim's object: as the statement it reifies
        about, prop = graph.value(s, RDF.subject), graph.value(s, RDF.predicate)
        assert isinstance(about, URIRef) and isinstance(prop, URIRef)
        s, p = about, prop
    if p == RDFS.label:
        kinds = {str(c) for c in graph.objects(s, RDF.type)}
        return not kinds & table.name_classes
    assert str(p) in table.text_properties | table.plain_properties, p
    return str(p) in table.text_properties


def _string_literals(graph: Graph) -> list[tuple[URIRef, URIRef, Literal]]:
    return [
        (s, p, o)
        for s, p, o in graph
        if isinstance(o, Literal)
        and isinstance(s, URIRef)
        and isinstance(p, URIRef)
        and (o.language is not None or o.datatype in (None, XSD.string))
    ]


# ---------------------------------------------------------------- the built graphs


def test_issue_21_english_text_is_tagged_en_and_names_and_cells_are_plain(built: Built) -> None:
    g = built.graph
    label = g.value(CYCLING_EVENT, RDFS.label)
    assert isinstance(label, Literal) and _is_english(label), repr(label)
    name = g.value(GANNA, RDFS.label)
    assert name == Literal("Filippo Ganna"), repr(name)
    final = URIRef(str(CYCLING_EVENT) + "/round/finals")
    rounds = list(g.subjects(URIRef(TP + "roundOf"), CYCLING_EVENT))
    assert rounds and all(_is_english(g.value(r, RDFS.label)) for r in rounds)
    assert final in rounds
    times = set(g.objects(None, URIRef(TP + "timeText")))
    assert Literal("3:42.032") in times and all(isinstance(t, Literal) for t in times)
    assert all(_is_plain(t) for t in times)
    notes = set(g.objects(None, URIRef(TP + "notesText")))
    assert Literal(", WR") in notes or any(", WR" in str(n) for n in notes)
    assert all(_is_plain(n) for n in notes)
    codes = set(g.objects(None, URIRef(TP + "iocCode")))
    assert Literal("ITA") in codes
    reasons = list(g.objects(None, URIRef(TP + "reason")))
    assert reasons and all(_is_english(r) for r in reasons)
    notes_of_event = list(g.objects(CYCLING_EVENT, URIRef(TP + "note")))  # a facts file's text
    assert notes_of_event and all(_is_english(n) for n in notes_of_event)
    cities = list(g.objects(None, URIRef(TP + "city")))  # a curated row's text
    assert Literal("Izu", lang="en") in cities


def test_issue_21_every_string_literal_follows_the_table(built: Built) -> None:
    checked = 0
    for s, p, o in _string_literals(built.graph):
        english = _expected_english(built.graph, s, p)
        assert _is_english(o) if english else _is_plain(o), (s, p, o)
        checked += 1
    assert checked > 500  # all of them: some 800 in the two bundled articles


def test_issue_21_a_claim_object_is_tagged_as_its_statement(built: Built) -> None:
    g = built.graph
    objects = {
        str(g.value(c, RDF.predicate)): g.value(c, RDF.object)
        for c in g.subjects(RDF.type, URIRef(TP + "Claim"))
        if g.value(c, RDF.subject) == CYCLING_EVENT
    }
    assert _is_english(objects[TP + "note"])
    assert _is_plain(objects[TP + "venueText"])
    statement = set(g.objects(CYCLING_EVENT, URIRef(TP + "note")))
    assert objects[TP + "note"] in statement  # the same term: a claim matches its statement


@pytest.mark.parametrize("stem", FAMILY_ARTICLES)
def test_issue_21_family_graphs_follow_the_table(stem: str, family_mappings: Path) -> None:
    built = build([FAMILY / stem / f"{stem}.txt"], Config(mappings=family_mappings))
    literals = _string_literals(built.graph)
    assert any(p == RDFS.label and _is_english(o) for _, p, o in literals)
    for s, p, o in literals:
        english = _expected_english(built.graph, s, p)
        assert _is_english(o) if english else _is_plain(o), (s, p, o)


def test_issue_21_the_dataset_description_titles_are_english(built: Built) -> None:
    void = Graph().parse(
        data=describe_build(built, Config(), {"team-pursuit.ttl": b""}, []), format="turtle"
    )
    titles = list(void.objects(None, DCTERMS.title)) + list(void.objects(None, DCTERMS.description))
    assert titles and all(_is_english(t) for t in titles)
    assert not [o for o in void.objects(None, DCTERMS.source) if isinstance(o, Literal)]
    # A file's title is English about the graph, not its file name tagged as English.
    assert "Olympic team pursuit knowledge graph in Turtle" in [str(t) for t in titles]
    assert not [t for t in titles if str(t).endswith((".ttl", ".nt"))]


# ---------------------------------------------------------------- the shapes


def _validate(graph: Graph, engine: str) -> list[str]:
    return [
        f"{f.focus} {f.shape}"
        for f in Validator(SHAPES, engine).graph(graph, "test")
        if f.severity == "Violation"
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_issue_21_a_plain_english_label_fails_its_shape(built: Built, engine: str) -> None:
    graph = Graph()
    graph += built.graph.triples((CYCLING_EVENT, None, None))
    graph += built.graph.triples((GANNA, None, None))
    graph.set((CYCLING_EVENT, RDFS.label, Literal(str(graph.value(CYCLING_EVENT, RDFS.label)))))
    graph.set((GANNA, RDFS.label, Literal("Filippo Ganna", lang="en")))
    found = _validate(graph, engine)
    assert any(str(CYCLING_EVENT) in f and "EnglishLabel-rdfsLabel" in f for f in found), found
    assert any(str(GANNA) in f and "NameLabel-rdfsLabel" in f for f in found), found


def _shape_paths(node_shape: str) -> dict[str, URIRef]:
    """Return each property shape of ``node_shape`` by the path it checks."""
    shape = URIRef(TPS + node_shape)
    found = {}
    for prop in SHAPES.objects(shape, SH.property):
        path = SHAPES.value(prop, SH.path)
        assert isinstance(prop, URIRef) and isinstance(path, URIRef)
        found[str(path)] = prop
    return found


def _languages(prop: URIRef) -> list[str]:
    listed = SHAPES.value(prop, SH.languageIn)
    return [str(x) for x in SHAPES.items(listed)] if listed is not None else []


def test_issue_21_the_table_and_the_shapes_agree() -> None:
    table = _table()
    english = _shape_paths("EnglishTextShape")
    targets = {
        str(t) for t in SHAPES.objects(URIRef(TPS + "EnglishTextShape"), SH.targetSubjectsOf)
    }
    assert set(english) == targets == table.text_properties
    for prop in english.values():
        assert SHAPES.value(prop, SH.datatype) == RDF.langString
        assert _languages(prop) == [table.language]
    plain = _shape_paths("PlainTextShape")
    targets = {str(t) for t in SHAPES.objects(URIRef(TPS + "PlainTextShape"), SH.targetSubjectsOf)}
    assert set(plain) == targets == table.plain_properties
    assert all(SHAPES.value(p, SH.datatype) == XSD.string for p in plain.values())
    label_classes = {
        str(c) for c in SHAPES.objects(URIRef(TPS + "EnglishLabelShape"), SH.targetClass)
    }
    assert label_classes == table.text_classes
    (label,) = _shape_paths("EnglishLabelShape").values()
    assert _languages(label) == [table.language]
    names = {str(c) for c in SHAPES.objects(URIRef(TPS + "NameLabelShape"), SH.targetClass)}
    assert names == table.name_classes
    # No other shape of any file says otherwise about the datatype of those properties.
    for shape, path in SHAPES.subject_objects(SH.path):
        datatype = SHAPES.value(shape, SH.datatype)
        if str(path) in table.text_properties:
            assert datatype in (None, RDF.langString), (shape, datatype)
        if str(path) in table.plain_properties:
            assert datatype in (None, XSD.string), (shape, datatype)


def test_issue_21_every_class_has_its_labels_placed() -> None:
    table = _table()
    tp_classes = {c for c in VOCAB.classes if c.startswith(TP)}
    individuals = {c for c in tp_classes if c in VOCAB.members}  # vocabularies: labelled in tp.ttl
    # Superclasses that gather classes of both kinds (an agent is an NOC, whose label is
    # English, or a person, whose label is a name): no node is typed with them directly (see
    # test_issue_21_no_node_is_typed_with_a_gathering_class), so their subclasses say the rule.
    gathering = {TP + "Agent", TP + "Edition"}
    assert tp_classes - individuals - gathering <= table.text_classes | table.name_classes


def test_issue_21_no_node_is_typed_with_a_gathering_class(built: Built) -> None:
    for gathering in ("Agent", "Edition"):
        assert not list(built.graph.subjects(RDF.type, URIRef(TP + gathering))), gathering


def test_issue_21_the_table_and_the_ontology_ranges_agree() -> None:
    table = _table()
    for prop in table.text_properties:
        assert VOCAB.data_ranges.get(prop) == str(RDF.langString), prop
    for prop in table.plain_properties:
        assert VOCAB.data_ranges.get(prop) == str(XSD.string), prop
    ranged = {p for p, r in VOCAB.data_ranges.items() if r == str(RDF.langString)}
    assert ranged == table.text_properties


# ---------------------------------------------------------------- the table is data


def _rules_with(tmp_path: Path, edit: dict[str, object]) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "mappings" / "rules", folder)
    doc = yaml.safe_load(TABLE_FILE.read_text(encoding="utf-8"))
    for key, value in edit.items():
        section, _, field = key.partition(".")
        if field:
            doc[section][field] = value
        else:
            doc[section] = value
    (folder / "language.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    return folder


def test_issue_21_a_text_property_the_ontology_ranges_over_xsd_string_is_an_error(
    tmp_path: Path,
) -> None:
    doc = yaml.safe_load(TABLE_FILE.read_text(encoding="utf-8"))
    plain = [p for p in doc["plain"]["properties"] if p != "tp:timeText"]
    text = [*doc["text"]["properties"], "tp:timeText"]
    folder = _rules_with(tmp_path, {"text.properties": text, "plain.properties": plain})
    with pytest.raises(MappingError, match=r"language\.yaml:\d+: .*timeText' is text here, but"):
        load_languages(folder, VOCAB)


def test_issue_21_a_langstring_property_left_out_of_the_table_is_an_error(tmp_path: Path) -> None:
    doc = yaml.safe_load(TABLE_FILE.read_text(encoding="utf-8"))
    text = [p for p in doc["text"]["properties"] if p != "tp:note"]
    folder = _rules_with(tmp_path, {"text.properties": text})
    with pytest.raises(MappingError, match=r"#note' ranges over rdf:langString but is not text"):
        load_languages(folder, VOCAB)


def test_issue_21_a_string_of_a_property_the_table_does_not_place_stops_the_build(
    tmp_path: Path,
) -> None:
    doc = yaml.safe_load(TABLE_FILE.read_text(encoding="utf-8"))
    plain = [p for p in doc["plain"]["properties"] if p != "tp:timeText"]
    mappings = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", mappings)
    folder = _rules_with(tmp_path, {"plain.properties": plain})
    shutil.rmtree(mappings / "rules")
    shutil.copytree(folder, mappings / "rules")
    with pytest.raises(MappingError, match=r"#timeText' has the string '.*' but is neither"):
        extract_sources(
            [ROOT / "sources" / "cycling-2020-mens-team-pursuit.txt"], Config(mappings=mappings)
        )


def test_issue_21_the_tag_is_the_table_s_language(tmp_path: Path) -> None:
    folder = _rules_with(tmp_path, {"language": "en-GB"})
    table = load_languages(folder, VOCAB)
    assert table is not None and table.language == "en-GB"


# ---------------------------------------------------------------- sources are IRIs


def test_issue_21_every_source_is_a_canonical_iri(built: Built) -> None:
    sources = list(built.graph.objects(None, DCTERMS.source))
    assert len(sources) > 50
    for source in sources:
        assert isinstance(source, URIRef), repr(source)
        parts = urlsplit(str(source))
        assert parts.scheme in ("http", "https") and parts.netloc, source
        assert not any(parts.netloc.endswith(host) for host in MIRROR_HOSTS), source
    ganna = URIRef(
        "https://www.cyclingnews.com/races/olympic-games-2021/men-s-team-pursuit/results/"
    )
    assert ganna in set(built.graph.objects(GANNA, DCTERMS.source))  # the roster row's page


@pytest.mark.parametrize("engine", ENGINES)
def test_issue_21_a_source_written_as_a_string_fails_its_shape(built: Built, engine: str) -> None:
    noc = URIRef(ID + "noc/ITA")
    graph = Graph()
    graph += built.graph.triples((noc, None, None))
    (source,) = graph.objects(noc, DCTERMS.source)
    graph.set((noc, DCTERMS.source, Literal(str(source))))
    found = _validate(graph, engine)
    assert f"{noc} tps:Source-dctermsSource" in found or any(
        "Source-dctermsSource" in f for f in found
    ), found
    assert any("NOC-source" in f for f in found), found


def test_issue_21_dcterms_source_is_an_object_property() -> None:
    assert str(DCTERMS.source) in VOCAB.object_properties
    assert str(DCTERMS.source) not in VOCAB.data_ranges


def test_issue_21_json_ld_keeps_the_language_and_the_source_iris(built: Built) -> None:
    graph = Graph().parse(data=built.serialize("jsonld"), format="json-ld")
    label = graph.value(CYCLING_EVENT, RDFS.label)
    assert isinstance(label, Literal) and _is_english(label)
    assert graph.value(GANNA, RDFS.label) == Literal("Filippo Ganna")
    assert all(isinstance(s, URIRef) for s in graph.objects(None, DCTERMS.source))
