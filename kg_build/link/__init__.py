"""Linking: the curated Wikidata link set, reconciliation against an endpoint, QuickStatements."""
