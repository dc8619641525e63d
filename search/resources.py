"""Recognising exhaustion of machine resources in errors from the OS and from SQLite."""

from __future__ import annotations

import errno
import sqlite3


def is_disk_full(exc: BaseException) -> bool:
    """True for "no space left" from the OS or SQLite (``SQLITE_FULL``)."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        return code == sqlite3.SQLITE_FULL or "database or disk is full" in str(exc)
    return "No space left on device" in str(exc)
