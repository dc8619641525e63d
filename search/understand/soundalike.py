"""Sound-alike typo correction grounded in the shop's own words: how often a spelling is searched and sold.

Shoppers type pinyin and pick a character from the input method's list: the typo sounds
like the word they meant (``豆将机`` for 豆浆机, ``充电包`` for 充电宝). The catalog-driven
:class:`~search.understand.spelling.SpellCorrector` leaves characters that are common words on
their own (将, 包) alone; this corrector decides by frequency instead.

**Frequency** of a string of 2 to :data:`MAX_WINDOW` Chinese characters: the number of
catalog titles whose words contain it (title words, product words and brands with products,
each contributing to every piece of itself) plus the number of past queries containing it
(:class:`QueryCounts`: ``Lexicon.query_terms``, which every build and refresh counts from the
data dir's query log (``indexer queries import``) plus any file of
``analysis.query_log``; any store of a shop's query log that can count a string).

**Windows.** Each Chinese run is segmented with the dictionary only (no guessing); a window
is 2 to :data:`MAX_WINDOW` characters starting and ending on word boundaries, holding at least
one character that is not part of a dictionary word (a typo breaks its word into single
characters: ``豆|将|机``, ``充电|包``), *rare* (frequency below :data:`RARE`) and not itself a
word of the segmenter's dictionary. Only such loose characters change.

**Candidates** are words of the same length that differ in exactly one character, whose
pinyin is the same (tones ignored) or the same under the usual input-method confusions
(z/zh, c/ch, s/sh, n/l, an/ang, en/eng, in/ing), looked up by sound key. Numerals are never
changed. A candidate is accepted when its frequency is at least :data:`MIN_SUPPORT` and
:data:`RATIO` times that of the typed window, and the best candidate beats the runner-up by
:data:`DOMINANCE` (same-sound candidates first, then candidates seen with the neighbouring
character). A near-sound needs twice the support. A window of two loose characters (``交|链``)
is weak evidence: the fix needs :data:`MIN_SUPPORT_PAIR` times one more than the typed pair's
own frequency (a pair seen once, ``净面``, needs twice as much), or to be seen with its
neighbouring character (``柜门铰链``). A character inside a dictionary word changes only in a
window of three or more characters that also holds a loose character, to a same-sound
candidate with :data:`MIN_SUPPORT_IN_WORD` (``西面|奶`` → 洗面奶, ``钢花|膜`` → 钢化膜: the
segmenter found a word, but the word with its neighbour is a typo).

Among accepted edits, longer windows and more frequent candidates win; edits never overlap;
at most :data:`MAX_EDITS` per query. Edits replace characters one for one, so the corrected
text has the length of the input and spans stay valid. Latin text and digits are never read.
A real word the shop simply rarely sees (``丰巢``, ``温氏``) is left alone when no
much more frequent sound-alike exists, when the query log knows it, or when the segmenter's
dictionary lists it.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from search.text.pinyin import same_sound, sound_keys
from search.understand.cues import NUMERAL_CHARS
from search.understand.spelling import Correction, Edit, apply_edits, dictionary_cut

__all__ = ["MappingCounts", "QueryCounts", "SoundAlikeCorrector", "chain"]

MAX_WINDOW = 4
RARE = 2
MIN_SUPPORT = 5
#: two characters outside any dictionary word are weak evidence: their fix needs this much support,
#: or to be seen in the catalog or query log together with the character before or after it
MIN_SUPPORT_PAIR = 12
#: a character inside a dictionary word changes only to a same-sound candidate this frequent
MIN_SUPPORT_IN_WORD = 10
RATIO = 3.0
DOMINANCE = 3.0
MAX_EDITS = 2
CONFIDENCE = 0.85
SOUNDALIKE = "sound_alike"

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_CJK_WORD = re.compile(r"[\u4e00-\u9fff]{2,8}")


class QueryCounts(Protocol):
    """How many past queries of the shop contain a string (2 to 4 Chinese characters)."""

    def count(self, text: str) -> int:
        """The number of past queries containing ``text`` (0 when unknown)."""
        ...


@dataclass(frozen=True)
class MappingCounts:
    """:class:`QueryCounts` over a mapping (``Lexicon.query_terms``: the index's ``analysis.query_log``)."""

    counts: Mapping[str, int]

    def count(self, text: str) -> int:
        """See :class:`QueryCounts`."""
        return int(self.counts.get(text, 0))


class SoundAlikeCorrector:
    """Corrects sound-alike typos by search and catalog frequency (see the module docstring).

    Args:
        catalog: Catalog word -> number of titles containing it (every piece of a word counts too).
        queries: Past-query counts.
        is_word: True for a word of the segmenter's dictionary (never treated as a typo).
        segment: Dictionary-only segmentation of a Chinese run (a tiling); a character inside a
            word of two or more characters is never changed. Default: single characters.
    """

    def __init__(
        self,
        catalog: Mapping[str, int],
        queries: QueryCounts,
        is_word: Callable[[str], bool] | None = None,
        segment: Callable[[str], list[str]] | None = None,
    ) -> None:
        self._queries = queries
        self._is_word = is_word or (lambda word: False)
        self._segment = segment or list
        pieces: dict[str, int] = defaultdict(int)
        for word, count in catalog.items():
            if count <= 0 or not _CJK_WORD.fullmatch(word):
                continue
            for piece in {word[i:j] for i in range(len(word)) for j in range(i + 2, min(len(word), i + 8) + 1)}:
                pieces[piece] += count
        self._catalog = dict(pieces)
        self._by_sound: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for word in self._catalog:
            if len(word) <= MAX_WINDOW:
                for key in sound_keys(word, fold_fuzzy=True, target=True):
                    self._by_sound[key].append(word)

    @classmethod
    def from_lexicon(cls, lexicon, analyzer=None, queries: QueryCounts | None = None) -> SoundAlikeCorrector:
        """Build from a :class:`~search.text.lexicon.Lexicon`: title words, product words and brands
        with products; query counts from ``lexicon.query_terms`` unless ``queries`` is given."""
        catalog: dict[str, int] = dict(lexicon.terms)
        for word in lexicon.product_words:
            catalog[word] = max(catalog.get(word, 0), 1)
        for brand in lexicon.brands.values():
            if brand.count > 0:
                for alias in brand.aliases:
                    catalog[alias] = max(catalog.get(alias, 0), brand.count)
        frequency = getattr(analyzer, "word_frequency", None)
        is_word = (lambda word: frequency(word) > 0) if frequency is not None else None
        counts = queries if queries is not None else MappingCounts(lexicon.query_terms)
        segment = dictionary_cut(analyzer, hmm=False) if analyzer is not None else None
        return cls(catalog, counts, is_word, segment)

    def frequency(self, text: str) -> int:
        """Catalog plus query-log frequency of a string."""
        return self._catalog.get(text, 0) + self._queries.count(text)

    def seen(self, text: str) -> bool:
        """True when the catalog or the query log has ``text``."""
        return self.frequency(text) > 0

    def correct(self, text: str) -> Correction | None:
        """Correct ``text`` (normalised); None when nothing changed."""
        if not isinstance(text, str) or not text:
            return None
        edits: list[Edit] = []
        for run in _CJK_RUN.finditer(text):
            word = run.group()
            tokens = [t for t in self._segment(word) if t]
            if "".join(tokens) != word:
                tokens = list(word)
            loose = [len(t) == 1 for t in tokens for _ in t]  # characters outside dictionary words
            if not any(loose):
                continue
            bounds = set(itertools.accumulate((len(t) for t in tokens), initial=0))
            for size in range(min(MAX_WINDOW, len(word)), 1, -1):
                for i in range(len(word) - size + 1):
                    if not (i in bounds and i + size in bounds):
                        continue
                    context = (word[i - 1 : i], word[i + size : i + size + 1])
                    edit = self._best(word[i : i + size], run.start() + i, loose[i : i + size], context)
                    if edit is not None:
                        edits.append(edit)
        if not edits:
            return None
        edits.sort(key=lambda e: (-(e.end - e.start), -e.support))
        corrected, chosen = apply_edits(text, edits, MAX_EDITS)
        return Correction(corrected, chosen, CONFIDENCE)

    def _best(self, window: str, start: int, loose: list[bool], context: tuple[str, str]) -> Edit | None:
        if not any(loose):
            return None
        typed = self.frequency(window)
        if typed >= RARE or self._is_word(window):
            return None
        scored: list[tuple[int, int, int, str]] = []
        for key in sound_keys(window, fold_fuzzy=True, target=True):
            for word in self._by_sound.get(key, ()):
                changed = [k for k, (a, b) in enumerate(zip(window, word, strict=True)) if a != b]
                if len(changed) != 1:
                    continue
                if window[changed[0]] in NUMERAL_CHARS or word[changed[0]] in NUMERAL_CHARS:
                    continue
                exact = same_sound(window, word)
                support = self.frequency(word)
                if not loose[changed[0]] and (len(window) < 3 or not exact or support < MIN_SUPPORT_IN_WORD):
                    continue
                need = max(MIN_SUPPORT, RATIO * (typed + 1)) * (1 if exact else 2)
                in_context = self._in_context(word, context)
                if len(window) == 2 and all(loose) and support < MIN_SUPPORT_PAIR * (typed + 1) and not in_context:
                    continue
                if support >= need:
                    scored.append((int(exact), int(in_context), support, word))
        if not scored:
            return None
        scored = sorted(set(scored), reverse=True)
        rank, seen_with, best, word = scored[0]
        if len(scored) > 1 and scored[1][:2] == (rank, seen_with) and best < DOMINANCE * scored[1][2]:
            return None  # two plausible fixes: prefer no change
        return Edit(start, start + len(window), window, word, SOUNDALIKE, best)

    def _in_context(self, word: str, context: tuple[str, str]) -> bool:
        """True when the word with the character before or after it is a string the shop has seen."""
        before, after = context
        return bool(before and self.seen(before + word)) or bool(after and self.seen(word + after))


class _Chain:
    """Correctors applied one after the other, each on the previous one's text."""

    def __init__(self, *correctors) -> None:
        self.correctors = [c for c in correctors if c is not None]

    def correct(self, text: str) -> Correction | None:
        edits: list[Edit] = []
        confidence = 1.0
        current = text
        for corrector in self.correctors:
            found = corrector.correct(current)
            if found is not None:
                edits.extend(found.edits)
                confidence = min(confidence, found.confidence)
                current = found.text
        if current == text:
            return None
        return Correction(current, tuple(sorted(edits, key=lambda e: e.start)), confidence)


def chain(*correctors):
    """One corrector applying ``correctors`` in order (None entries are skipped)."""
    return _Chain(*correctors)
