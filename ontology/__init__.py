"""Package data: the ontology (kg_build.data.ontology; see pyproject.toml)."""
