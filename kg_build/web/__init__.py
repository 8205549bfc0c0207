"""The web: ``kg serve``'s SPARQL endpoint and pages, ``kg site``'s pages, what draws them."""
