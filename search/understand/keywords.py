"""Keywords and coverage: what is left of a query for lexical retrieval, and how much of it was understood.

Used by :class:`~search.understand.rules.RuleParser`. The query is cut into words: Latin
and digit runs whole (``iphone``, ``16s``, ``p70d20tl-d4``; the jieba dictionary would
split them on brand aliases such as ``ig``), Chinese by the segmenter in precise mode.
Recognised phrases (brands, product words, attribute values, spec values) are kept
whole; price, sort and exclusion phrases are dropped, and so are punctuation, the
index's stopwords and shopping filler (``我想买``, ``推荐``, ``有没有``, ``的``).

Every meaningful character (not a space or punctuation) gets an *understanding* weight:
1.0 inside recognised phrases, removed phrases, filler and stopwords; 0.8 in Latin/digit
runs (model numbers); 0.7 in words found in at least two catalog titles; 0 elsewhere.
Their mean is the coverage the parser's confidence starts from.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

__all__ = ["KeywordReader"]

_FILLER_RE = re.compile(
    r"我想买|我想要|我要买|我需要|想买|想要|帮我找|帮我|给我推荐|推荐一下|求推荐|推荐|有没有|有什么"
    r"|哪个牌子好|什么牌子好|哪个好|哪款好|哪种好|请问|麻烦|谢谢"
)
_FILLER_TOKENS = frozenset(
    {
        "的", "了", "吗", "呢", "吧", "啊", "呀", "哦", "么", "和", "与", "及", "或", "我", "要", "想", "买", "求",
        "找", "请", "帮", "给", "好", "有", "一下", "一款", "一个", "一些", "什么", "哪个", "哪款", "哪些", "购买",
        "求购", "好用", "好看", "i", "me", "my", "want", "need", "buy", "please", "the", "a", "an", "and", "or", "to",
        "for", "of", "some",
    }
)  # fmt: skip
_WORD_CHAR = re.compile(r"[^\W_]")
# particles left dangling at either end once a phrase is cut out (``300元以下的兰芝`` -> ``兰芝``)
_EDGE_FILLER = re.compile(r"^(?:[的了呢吧吗啊呀和与及或]\s*)+|(?:\s*[的了呢吧吗啊呀和与及或])+$")
_LATIN_RUN = re.compile(r"[a-z0-9][a-z0-9.\-+/]*")
_CHUNK_RE = re.compile(r"([a-z0-9]+(?:[.\-+/][a-z0-9]+)*)|[^a-z0-9]+")

FILLER, MODEL, CATALOG_WORD, UNKNOWN = 1.0, 0.8, 0.7, 0.0


def meaningful(text: str) -> int:
    """Number of letters, digits and CJK characters in ``text``."""
    return sum(1 for ch in text if _WORD_CHAR.match(ch))


class KeywordReader:
    """Cuts queries into words and picks the keywords (see the module docstring).

    Args:
        cut: Precise-mode segmentation of a string (its tokens tile the string).
        stopwords: Tokens dropped from the keywords.
        terms: Catalog words -> number of titles containing them.
    """

    def __init__(self, cut: Callable[[str], list[str]], stopwords: Iterable[str], terms: Mapping[str, int]) -> None:
        self._cut = cut
        self._stopwords = frozenset(stopwords)
        self._terms = terms

    def tokenize(self, text: str) -> list[tuple[int, int]]:
        """Spans of the words of ``text``: Latin/digit runs whole, the rest by the segmenter."""
        spans = []
        for chunk in _CHUNK_RE.finditer(text):
            if chunk.group(1) is not None:
                spans.append(chunk.span())
                continue
            pos = chunk.start()
            for token in self._cut(chunk.group()):
                spans.append((pos, pos + len(token)))
                pos += len(token)
        return spans

    def keywords(
        self, query: str, phrases: list[tuple[int, int]], removed: list[tuple[int, int]]
    ) -> tuple[list[str], float, int]:
        """Keywords of ``query``, the share of meaningful characters understood, and their number.

        Args:
            query: The normalised query.
            phrases: Spans of recognised phrases (kept whole, fully understood).
            removed: Spans of price, sort and exclusion phrases (dropped, fully understood).
        """
        keywords: dict[str, None] = {}
        total = meaningful(query)
        understood = float(sum(meaningful(query[s:e]) for s, e in removed))
        pieces: list[tuple[int, str, bool]] = [(s, query[s:e], True) for s, e in phrases]
        pos = 0
        for s, e in sorted(phrases + removed):
            if s > pos:
                pieces.append((pos, query[pos:s], False))
            pos = max(pos, e)
        if pos < len(query):
            pieces.append((pos, query[pos:], False))
        pieces.sort(key=lambda p: p[0])
        for _, piece, recognised in pieces:
            if recognised:
                keywords[piece.strip()] = None
                understood += meaningful(piece)
                continue
            for token, weight in self._gap_tokens(piece):
                understood += weight * meaningful(token)
                if weight < FILLER:
                    keywords[token] = None
        share = understood / total if total else 1.0
        return [k for k in keywords if k], min(1.0, share), total

    @staticmethod
    def rewrite(query: str, removed: list[tuple[int, int]]) -> str:
        """The query with removed phrases and shopping filler cut out, the rest kept in order."""
        kept = []
        pos = 0
        for s, e in sorted(removed):
            if s > pos:
                kept.append(query[pos:s])
            pos = max(pos, e)
        kept.append(query[pos:])
        text = " ".join(_FILLER_RE.sub(" ", piece) for piece in kept)
        text = _EDGE_FILLER.sub("", " ".join(text.split()))
        return text if _WORD_CHAR.search(text) else ""

    def _gap_tokens(self, gap: str) -> list[tuple[str, float]]:
        """Tokens of unrecognised text with their understanding weight."""
        out: list[tuple[str, float]] = []
        pos = 0
        for filler in _FILLER_RE.finditer(gap):
            out.extend(self._weigh(gap[pos : filler.start()]))
            out.append((filler.group(), FILLER))
            pos = filler.end()
        out.extend(self._weigh(gap[pos:]))
        return out

    def _weigh(self, text: str) -> list[tuple[str, float]]:
        out = []
        for s, e in self.tokenize(text) if text.strip() else ():
            token = text[s:e].strip()
            if not token or not _WORD_CHAR.search(token):
                continue
            if token in self._stopwords or token in _FILLER_TOKENS:
                out.append((token, FILLER))
            elif _LATIN_RUN.fullmatch(token):
                out.append((token, MODEL))
            elif self._terms.get(token, 0) >= 2:
                out.append((token, CATALOG_WORD))
            else:
                out.append((token, UNKNOWN))
        return out
