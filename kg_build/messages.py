"""How a message shows what it quotes: text cut short on one line, URLs without passwords.

Every error and warning that quotes an article's text quotes it with ``quote``, so a 1 MB
table cell gives a line of the usual length; the command line passes every line it prints
through ``redact``, so a password inside an endpoint URL is never printed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

QUOTE_MAX = 80
# scheme://user:password@host: the password runs to the authority's last '@' (RFC 3986 §3.2).
_USERINFO = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]*://[^/?#@\s:]*):[^/?#\s]*@")


def quote(text: str, limit: int = QUOTE_MAX) -> str:
    """Quote ``text`` for a one-line message; cut after ``limit`` characters, saying how long.

    Control characters are escaped as Python writes them (``\\r``, ``\\x0c``), so the message
    stays one printable line: ``'Lorem ipsum…' (1,048,576 characters)``.
    """
    shown = text[:limit]
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in shown)
    if len(text) <= limit:
        return f"'{shown}'"
    return f"'{shown}…' ({len(text):,} characters)"


def redact(text: str) -> str:
    """Hide the password of every URL in ``text``: ``http://u:secret@host/`` → ``http://u:***@host/``."""
    return _USERINFO.sub(r"\g<head>:***@", text)


def display_path(path: Path) -> str:
    """Show ``path`` relative to the working folder when it lies below it, else as given."""
    try:
        return Path(os.path.abspath(path)).relative_to(Path.cwd()).as_posix()
    except (OSError, ValueError):
        return path.as_posix()
