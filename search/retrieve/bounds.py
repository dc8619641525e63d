"""The most work one query may cause, whatever a client sends.

A query is understood and retrieved on at most :data:`MAX_QUERY_WORK_CHARS` characters
(shoppers' queries are far shorter: the 99th percentile of a 100,000-query log is 18
characters, the longest 69), and each sparse query vector holds at most
:data:`MAX_QUERY_TERMS` distinct terms, the longest first (a bigram tells more than a
single character). Candidates per source are bounded by the profile (``depth``, ``pool``).
"""

from __future__ import annotations

MAX_QUERY_WORK_CHARS = 64
MAX_QUERY_TERMS = 64


def bound_text(text: str, limit: int = MAX_QUERY_WORK_CHARS) -> str:
    """The part of a query that is parsed and searched for."""
    text = text.strip()
    return text if len(text) <= limit else text[:limit].rstrip()


def bound_terms(tokens: list[str], limit: int = MAX_QUERY_TERMS) -> list[str]:
    """``tokens`` restricted to at most ``limit`` distinct terms (longest first, then first seen)."""
    distinct = list(dict.fromkeys(tokens))
    if len(distinct) <= limit:
        return tokens
    keep = set(sorted(distinct, key=len, reverse=True)[:limit])
    return [t for t in tokens if t in keep]
