"""Package data: the SHACL shapes (kg_build.data.shapes; see pyproject.toml)."""
