"""The data kg ships: its sub-packages are the top-level data folders (pyproject's package-dir)."""
