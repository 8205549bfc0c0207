"""Validation: the shapes loaded and checked, one SHACL engine per module, findings.

``validator`` holds ``Validator``, which runs the engine the registry names
(``engine.py``); ``shapes`` loads the shapes; ``findings`` gives every engine's results one
form; ``limits`` says what each engine cannot check.
"""

from kg_build.validate.findings import Finding, full_iri
from kg_build.validate.shapes import load_shapes
from kg_build.validate.validator import Validator

__all__ = ["Finding", "Validator", "full_iri", "load_shapes"]
