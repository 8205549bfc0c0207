"""Curated data of ``mappings/``, each error with its file and line.

``tables`` says what each curated TSV file requires and checks it row by row; ``reference``
loads them all for a build, with ``rosters`` (read lazily, by event) and ``facts`` (a YAML
file per article); ``settings`` reads ``extraction.yaml``; ``fields`` reads a YAML field
of the type it must have.
"""
