"""Records → RDF by mapping rules in a strict subset of YARRRML (``mappings/rules/*.yaml``).

``rules`` loads and checks the rules, ``sources`` turns records into the JSON sources they
read, ``execute`` runs them, ``ntriples`` writes their triples as bytes, ``graphs`` holds the
graph containers, ``rml`` generates the rules a standard RML engine runs (one per datatype).
"""

from kg_build.mapping.execute import apply_rules, rule_triples
from kg_build.mapping.graphs import named_dataset, new_graph, union_graph
from kg_build.mapping.ntriples import ntriples_literal, rules_to_ntriples
from kg_build.mapping.rules import RECORDS_FILE, RULES_DIR, MappingRule, load_rules
from kg_build.mapping.sources import as_sources, record_sources

__all__ = [
    "RECORDS_FILE",
    "RULES_DIR",
    "MappingRule",
    "apply_rules",
    "as_sources",
    "load_rules",
    "named_dataset",
    "new_graph",
    "ntriples_literal",
    "record_sources",
    "rule_triples",
    "rules_to_ntriples",
    "union_graph",
]
