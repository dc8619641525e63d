"""The project's error family.

Every error raised on purpose derives from :class:`SearchError`. Bad input from a person
(a catalog row, a config file, a request, a command-line value) is an :class:`InputError`:
command-line tools map exactly these to "bad input" (exit 3), and anything else that
escapes is a bug and is reported as one. HTTP errors have one body shape, see
:mod:`search.api.errors`.
"""

from __future__ import annotations


class SearchError(Exception):
    """Base of every error this project raises on purpose."""


class InputError(SearchError, ValueError):
    """Bad input from a person or a file; the message says what is wrong and where."""
