"""The build: one per-article core (parse → extract → map → validate) and two drivers.

``article`` builds one article into an ``ArticleGraph``; ``shared`` decides which named graph
each triple goes in, which curated links to keep, and what a store leaves to the ontology's
graph; ``memory`` collects the articles into one graph, ``streamed`` writes them one by one
(``workers`` builds them in processes).
"""
