"""Package data: the mapping rules, settings, curated data and facts (kg_build.data.mappings)."""
