"""The RDF layer: IRIs, namespaces, the ontology, prefixed names."""
