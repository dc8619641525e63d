"""Highlighting: a title with the query's matched words in ``<em>``, everything else HTML-escaped.

Matching uses the retrieval analyzer's view of both sides: the query's jieba words and
model numbers (the BM25 fields; character n-grams would mark nearly every character)
plus every alias of a recognised brand (so ``兰芝`` marks ``Laneige``), found in the title
normalised character by character (width, case, Traditional -> Simplified), so each
match maps back to the characters the shopper sees.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from functools import lru_cache

from search.text.analyzer import Analysis
from search.text.lexicon import Lexicon
from search.text.normalize import normalize

_LATIN = re.compile(r"[a-z]")
_DIGIT = re.compile(r"[0-9]")
MAX_TERMS = 64


def highlight_terms(analysis: Analysis, brands: Iterable[str], lexicon: Lexicon) -> list[str]:
    """The normalised terms to mark for a query: its words, model numbers and recognised brands' aliases."""
    terms: dict[str, None] = {}
    for token in (*analysis.words, *analysis.models):
        if token.strip():
            terms[token] = None
    for name in brands:
        key = lexicon.resolve_brand(name) or normalize(name)
        brand = lexicon.brands.get(key)
        for alias in brand.aliases if brand else [key]:
            for part in alias.split("/"):
                if part.strip():
                    terms[part.strip()] = None
    # longest first: a longer match wins where two overlap
    return sorted(terms, key=lambda t: (-len(t), t))[:MAX_TERMS]


@lru_cache(maxsize=8192)
def _char(ch: str) -> str:
    # per character, so every normalised character maps back to one shown character;
    # spaces stay (normalize() would strip a lone space)
    return ch if ch.isspace() else normalize(ch, units=False)


def _normalized(title: str) -> tuple[str, list[int]]:
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(title):
        for c in _char(ch):
            chars.append(c)
            origin.append(i)
    return "".join(chars), origin


def _bounded(text: str, start: int, end: int) -> bool:
    """A Latin/digit term must not sit inside a longer run of its own kind (``se`` in ``case``)."""
    for a, b in ((start - 1, start), (end - 1, end)):
        if a < 0 or b >= len(text):
            continue
        x, y = text[a], text[b]
        if (_LATIN.match(x) and _LATIN.match(y)) or (_DIGIT.match(x) and _DIGIT.match(y)):
            return False
    return True


def contains(text: str, term: str) -> bool:
    """``term`` occurs in normalised ``text`` (a Latin/digit term as a whole run, see :func:`_bounded`)."""
    start = text.find(term)
    while start >= 0:
        if _bounded(text, start, start + len(term)):
            return True
        start = text.find(term, start + 1)
    return False


def highlight(title: str, terms: Iterable[str]) -> str:
    """``title`` HTML-escaped with every occurrence of the (normalised) terms wrapped in ``<em>``."""
    text, origin = _normalized(title)
    marked = [False] * len(title)
    for term in terms:
        if not term:
            continue
        start = text.find(term)
        while start >= 0:
            end = start + len(term)
            if _bounded(text, start, end):
                for k in range(start, end):
                    marked[origin[k]] = True
            start = text.find(term, start + 1)
    out: list[str] = []
    i = 0
    while i < len(title):
        j = i
        while j < len(title) and marked[j] == marked[i]:
            j += 1
        piece = html.escape(title[i:j], quote=True)
        out.append(f"<em>{piece}</em>" if marked[i] else piece)
        i = j
    return "".join(out)
