"""Stores: the embedded Oxigraph store, SPARQL 1.1 stores over HTTP, and queries on them."""
