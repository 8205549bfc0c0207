"""Parse: the plain-text article format read into typed ``Article`` records."""
