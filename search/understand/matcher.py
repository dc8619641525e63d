"""Fast dictionary matching over normalised query text.

:class:`DictionaryMatcher` finds every dictionary phrase (brand alias, product word,
category leaf, attribute value...) in a text. Matching is insensitive to case, width,
spaces and the punctuation that brand names are written with, because both the
phrases and the text are *folded* first:

* the text is expected to be normalised already (NFKC, lower case, Simplified);
* Latin accents are dropped (``l'oréal`` -> ``l'oreal``);
* spaces and the joining marks ``' ’ ‘ ` ´ · ・ . - _ &`` are removed, so ``l oreal``,
  ``l'oreal`` and ``loreal`` are the same key, and ``sk ii`` finds ``sk-ii``.

Matches are reported as spans of the *unfolded* text, so the caller can remove or
keep them. Phrases that start or end with a Latin letter or digit only match on
Latin word boundaries (``lg`` is not found in ``algae``, nor ``3m`` in ``1.3m``);
a model number may follow a phrase that ends with a letter (``vivo16s``, ``iphone13``,
``oppoa59s``: a digit, or one or two letters and a digit).

Lookup cost is one dict probe per (position, candidate length), with the lengths
limited to those of the phrases that start with the character at that position.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["DictionaryMatcher", "Entry", "Match", "fold", "is_latin"]

_JOINERS = frozenset(" '’‘`´·・.-_&\u00a0")
_MAX_PHRASE = 24


@dataclass(frozen=True)
class Entry:
    """What a dictionary phrase stands for.

    Attributes:
        kind: ``"brand"``, ``"product"``, ``"category"`` or ``"attribute"``.
        value: The brand key, product word, category leaf or canonical attribute value.
        name: The attribute name (``kind == "attribute"``), else empty.
    """

    kind: str
    value: str
    name: str = ""


@dataclass(frozen=True)
class Match:
    """One phrase found in a text.

    Attributes:
        start / end: ``[start, end)`` in the text given to :meth:`DictionaryMatcher.find_all`.
        key: The folded phrase that matched.
        entries: Everything the phrase stands for.
    """

    start: int
    end: int
    key: str
    entries: tuple[Entry, ...]

    @property
    def length(self) -> int:
        """Folded length (what "longest match" compares)."""
        return len(self.key)


def _fold_char(ch: str) -> str:
    """One character folded: accents dropped from Latin letters, joiners removed."""
    if ch in _JOINERS or ch.isspace():
        return ""
    if "\u00c0" <= ch <= "\u024f":  # Latin-1 supplement and Latin extended: strip accents
        return "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return ch


def fold(text: str) -> str:
    """The matching key of a phrase (see the module docstring)."""
    return "".join(_fold_char(ch) for ch in text)


def is_latin(ch: str) -> bool:
    """True for ASCII letters and digits (the characters that need word boundaries)."""
    return ch.isascii() and ch.isalnum()


def _folded_with_offsets(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index in ``text`` it came from."""
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        for c in folded:
            chars.append(c)
            offsets.append(i)
    return "".join(chars), offsets


def _glued(text: str, index: int, step: int) -> bool:
    """True when the character at ``index`` (walking by ``step``) continues a Latin word.

    A letter or digit continues it; so does a joiner (``.``, ``-``...) with a letter or
    digit right behind it (``1.3m``, ``x-3m``). Spaces and anything else break it.
    """
    if not 0 <= index < len(text):
        return False
    ch = text[index]
    if is_latin(ch):
        return True
    if ch in _JOINERS and ch != " ":
        nxt = index + step
        return 0 <= nxt < len(text) and is_latin(text[nxt])
    return False


_MODEL_AFTER = re.compile(r"[a-z]{0,2}[0-9]")


def _model_after(text: str, index: int) -> bool:
    """True when a model number starts at ``index``: a digit, or one or two letters and a digit."""
    return _MODEL_AFTER.match(text, index) is not None


class DictionaryMatcher:
    """A phrase dictionary with all-matches lookup (see the module docstring)."""

    def __init__(self) -> None:
        self._phrases: dict[str, list[Entry]] = {}
        self._lengths: dict[str, tuple[int, ...]] = {}
        self._frozen = False

    def add(self, phrase: str, entry: Entry) -> bool:
        """Register ``phrase`` (normalised text) as standing for ``entry``.

        Returns:
            False when the phrase folds to nothing or is too long, else True.
        """
        key = fold(phrase)
        if not key or len(key) > _MAX_PHRASE:
            return False
        entries = self._phrases.setdefault(key, [])
        if entry not in entries:
            entries.append(entry)
        self._frozen = False
        return True

    def __len__(self) -> int:
        return len(self._phrases)

    def __contains__(self, phrase: object) -> bool:
        return isinstance(phrase, str) and fold(phrase) in self._phrases

    def entries(self, phrase: str) -> tuple[Entry, ...]:
        """What ``phrase`` stands for (empty when unknown)."""
        return tuple(self._phrases.get(fold(phrase), ()))

    def _freeze(self) -> None:
        lengths: dict[str, set[int]] = {}
        for key in self._phrases:
            lengths.setdefault(key[0], set()).add(len(key))
        self._lengths = {ch: tuple(sorted(ls, reverse=True)) for ch, ls in lengths.items()}
        self._frozen = True

    def find_all(self, text: str) -> list[Match]:
        """Every phrase occurrence in ``text`` (normalised), longest first at each position.

        Overlapping and nested matches are all returned; choosing among them is the
        caller's job. Latin-edged phrases must sit on Latin word boundaries.
        """
        if not self._frozen:
            self._freeze()
        folded, offsets = _folded_with_offsets(text)
        n = len(folded)
        out: list[Match] = []
        phrases = self._phrases
        for i, ch in enumerate(folded):
            lengths = self._lengths.get(ch)
            if lengths is None:
                continue
            for length in lengths:
                if length > n - i:
                    continue
                key = folded[i : i + length]
                entries = phrases.get(key)
                if entries is None:
                    continue
                start, end = offsets[i], offsets[i + length - 1] + 1
                if is_latin(key[0]) and _glued(text, start - 1, -1):
                    continue
                # a model number may follow a phrase ending in a letter: vivo16s, iphone13, oppoa59s
                if is_latin(key[-1]) and _glued(text, end, 1) and not (key[-1].isalpha() and _model_after(text, end)):
                    continue
                out.append(Match(start, end, key, tuple(entries)))
        return out
