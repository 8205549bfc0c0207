"""The error hierarchy: every error a user can cause names a file and, where it has one, a line."""


class KgError(Exception):
    """An error in the user's input or environment, printed as one line without a traceback."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        super().__init__(path, line, message)
        self.path = path
        self.line = line
        self.message = message

    def __str__(self) -> str:
        # A file-level problem (missing file, a directory) has no line to point at.
        if self.line is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


class SourceError(KgError):
    """An article cannot be read or does not follow the article format."""


class OutputError(KgError):
    """An output file cannot be written."""
