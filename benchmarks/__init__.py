"""Benchmarks: a synthetic corpus and a side-by-side timing run."""
