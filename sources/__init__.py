"""Package data: the bundled articles (kg_build.data.sources; see pyproject.toml)."""
