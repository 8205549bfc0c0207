"""Names, prefixes, formats and default paths that the stages and the command line share.

Plain values only: the command line defines its options from them, and `kg query` on a store
then starts without rdflib, the model or the SHACL engines (0.1 s instead of 0.5 s).
"""

from importlib.resources import files
from pathlib import Path


def data_folder(name: str) -> Path:
    """Return the folder of the package data ``kg_build.data.<name>``.

    An installed kg reads its own copy; an editable install maps each name to the checkout's
    top-level folder (pyproject.toml's package-dir), so edits there show at once.
    """
    # The package is installed unpacked (a wheel), so its resources are plain files.
    return Path(str(files(f"kg_build.data.{name}")))


ONTOLOGY = data_folder("ontology") / "tp.ttl"
CONTEXT = data_folder("ontology") / "context.jsonld"
MAPPINGS = data_folder("mappings")
SHAPES = data_folder("shapes")
SOURCES = data_folder("sources")
QUESTIONS = data_folder("questions")
SOURCES_NAME = "sources"  # a bundled article's folder in the graph: sources/<file>
DEFAULT_STORE = Path("out") / "store"

TP_IRI = "https://w3id.org/team-pursuit/ontology#"
SHAPES_IRI = "https://w3id.org/team-pursuit/shapes#"
DEFAULT_BASE = "https://w3id.org/team-pursuit/id/"

# Prefixes that curated data and mapping rules may use, as plain IRI strings.
PREFIXES = {
    "tp": TP_IRI,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "wd": "http://www.wikidata.org/entity/",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
}
RDF_TYPE = PREFIXES["rdf"] + "type"
RDFS_LABEL = PREFIXES["rdfs"] + "label"

GRAPH_FORMATS = ("turtle", "nt", "nquads", "trig", "jsonld")
FORMAT_SUFFIXES = {
    "turtle": ".ttl",
    "nt": ".nt",
    "nquads": ".nq",
    "trig": ".trig",
    "jsonld": ".jsonld",
}
MEDIA_TYPES = {
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "nquads": "application/n-quads",
    "trig": "application/trig",
    "jsonld": "application/ld+json",
}

# The SHACL engines, by their --validator name: the module of each one's adapter, imported
# only when that engine is chosen (kg_build/validate/engine.py reads this registry).
ENGINES = {
    "shacl-engine": "kg_build.validate.engine_shacl",
    "pyrudof": "kg_build.validate.engine_pyrudof",
    "pyshacl": "kg_build.validate.engine_pyshacl",
}
DEFAULT_ENGINE = "shacl-engine"

STDIN = STDOUT = "-"
STDIN_NAME = "<stdin>"
