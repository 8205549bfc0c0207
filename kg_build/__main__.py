"""Run ``python -m kg_build`` as the ``kg`` command."""

from kg_build.cli import main

main()
