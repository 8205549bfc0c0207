"""Package data: the competency questions the query page lists (kg_build.data.questions)."""
