"""Pinyin-aware spelling correction of Chinese queries, grounded in the catalog vocabulary.

Shoppers type with pinyin input methods, so most typos are a wrong character with
the same or a similar sound (``洗面乃`` -> ``洗面奶``, ``隔离双`` -> ``隔离霜``); some are a
wrong character of similar shape. Traditional characters and
full-width forms are already handled by normalisation. Pinyin keys come from
:mod:`search.text.pinyin`.

**Vocabulary.** Correction targets are catalog words: title words (``Lexicon.terms``,
seen in at least ``min_count`` titles), product words and the aliases of brands that
have products, Chinese only, 2 to 6 characters. A larger *known-word* test (the
targets plus the segmenter's dictionary, every brand alias and product word) decides
what is already correct.

**Query log** (optional: ``analysis.query_log`` in the indexing config, saved as
``Lexicon.query_terms``). Shops have their own query logs: every Chinese string of 2 to
:data:`MAX_WINDOW` characters typed in at least :data:`LOG_KNOWN` past queries is a
spelling shoppers use (a shop's brands, new product names the dictionaries lack), so it
is known (never edited) and its character pairs are attested.

**Where to look.** Each run of Chinese characters is segmented with the dictionary only
(no HMM guessing). A *solid* token is a known word of 2+ characters; the other tokens
are single characters, which is where a typo leaves its mark (``洗面|乃``,
``裤子|高|裆``). A window is 1 to 4 consecutive tokens, 2 to :data:`MAX_WINDOW`
characters, containing at least one single character and not itself a known word
nor a piece of a known word (``高裆`` inside a known ``高裆裤`` is left alone).

**Candidates** for a window are target words of the same length that differ only at
single-character positions (solid tokens are never edited) and

* sound the same, ignoring tones (*homophone*: any reading of the typed character
  against the word's contextual or most common reading, so rare readings such as
  提 read *shi* do not make false homophones), or
* sound similar under the usual input-method confusions: z/zh, c/ch, s/sh, n/l,
  an/ang, en/eng, in/ing (*near homophone*), or
* differ in exactly one character, for windows of :data:`MIN_ONE_CHAR_WINDOW`
  characters (*one wrong character*).

A changed character must sit only in character pairs never seen in a catalog word
(``诗风`` is not a typo of anything if titles write it), must not be a numeral, nor a
character that is a very common word on its own (jieba frequency of at least
:data:`FUNCTION_CHAR_FREQ`: 的, 是, 大, 号...); at most ``len // 2`` characters (at
least 1) change.

**Confidence.** A window that holds a known word (*anchored*: ``洗面|乃``) needs
``min_count`` supporting titles for a homophone, twice that for a near homophone and
ten times for one wrong character. A window of single characters only (``高|裆``)
is weaker evidence: only homophones, with :data:`UNANCHORED_FACTOR` times
``min_count``. The best candidate must clearly beat the runner-up of the same kind
(:data:`DOMINANCE` times its support); otherwise nothing changes. Edits never
overlap; at most :data:`MAX_EDITS` per query. Latin text, numbers and model numbers
are never touched: only Chinese runs are read. Each edit replaces characters one for
one, so the corrected text has the input's length and spans stay valid.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from search.text.pinyin import fuzzy, readings, same_sound, sound_keys  # noqa: F401 (re-exported)
from search.understand.cues import NUMERAL_CHARS

__all__ = [
    "Correction",
    "Corrector",
    "Edit",
    "SpellCorrector",
    "dictionary_cut",
    "fuzzy",
    "query_word_counts",
    "readings",
]

MAX_WINDOW = 4
MIN_ONE_CHAR_WINDOW = 4
UNANCHORED_FACTOR = 2
FUNCTION_CHAR_FREQ = 20000
MAX_EDITS = 2
DOMINANCE = 3.0
LOG_KNOWN = 2
#: a fix of two loose characters with this much support needs no neighbour evidence (``seen``)
LOOSE_PAIR_SUPPORT = 100
_MAX_WORD = 6

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")


HOMOPHONE, NEAR_HOMOPHONE, ONE_CHAR = "homophone", "near_homophone", "one_char"
_KIND_RANK = {HOMOPHONE: 3, NEAR_HOMOPHONE: 2, ONE_CHAR: 1}
_KIND_CONFIDENCE = {HOMOPHONE: 0.9, NEAR_HOMOPHONE: 0.8, ONE_CHAR: 0.7}


@dataclass(frozen=True)
class Edit:
    """One corrected window: ``text[start:end]`` was ``original`` and becomes ``replacement``."""

    start: int
    end: int
    original: str
    replacement: str
    kind: str
    support: int


@dataclass(frozen=True)
class Correction:
    """A corrected query: the new text (same length as the input), its edits and confidence."""

    text: str
    edits: tuple[Edit, ...]
    confidence: float


def apply_edits(text: str, edits: list[Edit], most: int) -> tuple[str, tuple[Edit, ...]]:
    """Apply up to ``most`` non-overlapping edits, taken in the order given (best first).

    Returns:
        The corrected text and the edits applied, in text order.
    """
    chosen: list[Edit] = []
    for edit in edits:
        if len(chosen) < most and all(edit.end <= c.start or edit.start >= c.end for c in chosen):
            chosen.append(edit)
    chosen.sort(key=lambda e: e.start)
    out = list(text)
    for edit in chosen:
        out[edit.start : edit.end] = edit.replacement
    return "".join(out), tuple(chosen)


class Corrector(Protocol):
    """Anything that corrects a normalised query (:class:`SpellCorrector`, the sound-alike corrector)."""

    def correct(self, text: str) -> Correction | None:
        """The corrected query, or None when nothing changed."""
        ...


class SpellCorrector:
    """Corrects Chinese typos against a vocabulary of catalog words (see the module docstring).

    Args:
        words: Correction targets: word -> support (number of catalog titles).
        known: Extra test for "this is a correct word" (e.g. the segmenter's dictionary).
        segment: Dictionary-only segmentation of a Chinese run; defaults to single characters
            (then only windows of unknown characters are corrected).
        min_count: Support a homophone needs; near homophones need 2x, one wrong character 10x.
        attested: Words whose character pairs count as seen (default: ``words``).
        char_freq: How common a character is as a word on its own (jieba frequency).
        seen: True for a string the shop has seen (catalog or query log). When given, a fix of a
            window of two loose characters (no known word in it) must be seen together with the
            character before or after it (``柜门交链`` is not read as 柜门脚链).
    """

    def __init__(
        self,
        words: Mapping[str, int],
        *,
        known: Callable[[str], bool] | None = None,
        segment: Callable[[str], list[str]] | None = None,
        min_count: int = 3,
        attested: Mapping[str, int] | None = None,
        char_freq: Callable[[str], int] | None = None,
        seen: Callable[[str], bool] | None = None,
    ) -> None:
        self.min_count = min_count
        self._seen = seen
        self._char_freq = char_freq
        self._segment = segment or list
        self._known_extra = known
        self._words: dict[str, int] = {}
        for word, count in words.items():
            if 2 <= len(word) <= _MAX_WORD and _CJK_RUN.fullmatch(word) and count > 0:
                self._words[word] = max(count, self._words.get(word, 0))
        self._by_sound: dict[tuple[str, ...], list[str]] = defaultdict(list)
        self._by_shape: dict[str, list[str]] = defaultdict(list)
        self._pieces: set[str] = set()
        self._bigrams: dict[str, int] = defaultdict(int)
        for word, count in (attested or self._words).items():
            for i in range(len(word) - 1):
                self._bigrams[word[i : i + 2]] += count
        for word, count in self._words.items():
            if len(word) > MAX_WINDOW:
                self._add_pieces(word)
                continue
            for key in sound_keys(word, fold_fuzzy=True, target=True):
                self._by_sound[key].append(word)
            if len(word) >= MIN_ONE_CHAR_WINDOW and count >= 10 * min_count:
                for i in range(len(word)):
                    self._by_shape[word[:i] + "?" + word[i + 1 :]].append(word)
            self._add_pieces(word)

    def _add_pieces(self, word: str) -> None:
        for i in range(len(word)):
            for j in range(i + 2, min(len(word), i + MAX_WINDOW) + 1):
                if j - i < len(word):
                    self._pieces.add(word[i:j])

    @classmethod
    def from_lexicon(
        cls,
        lexicon,
        analyzer=None,
        *,
        min_count: int = 3,
        query_terms: Mapping[str, int] | None = None,
        seen: Callable[[str], bool] | None = None,
    ) -> SpellCorrector:
        """Build from a :class:`~search.text.lexicon.Lexicon` (and the analyzer's dictionary).

        Args:
            lexicon: The catalog vocabulary.
            analyzer: A :class:`~search.text.analyzer.ChineseAnalyzer`; its jieba dictionary
                segments queries and tells known words. Optional.
            min_count: See the class docstring.
            query_terms: Strings of a query log -> number of queries containing them
                (:func:`query_word_counts`); defaults to ``lexicon.query_terms`` (the index's
                ``analysis.query_log``). A string typed in :data:`LOG_KNOWN` queries is a
                correct spelling: a window that is one is never edited, and its character
                pairs count as attested. (Log strings as correction *targets* were tried and
                changed more real queries without fixing more.)
        """
        log = lexicon.query_terms if query_terms is None else query_terms
        words: dict[str, int] = {w: c for w, c in lexicon.terms.items() if c >= min_count}
        for word in lexicon.product_words:
            words[word] = max(words.get(word, 0), lexicon.terms.get(word, 0), min_count)
        protected: set[str] = set(lexicon.product_words)
        for brand in lexicon.brands.values():
            protected.update(brand.aliases)
            if brand.count > 0:
                for alias in brand.aliases:
                    words[alias] = max(words.get(alias, 0), brand.count, lexicon.terms.get(alias, 0))
        for groups in lexicon.attribute_synonyms.values():
            for group in groups:
                protected.update(group)
        attested = dict(lexicon.terms)
        for word, count in log.items():
            if count >= LOG_KNOWN:
                protected.add(word)
                attested[word] = attested.get(word, 0) + count
        freq = _word_frequency(analyzer)

        def known(word: str) -> bool:
            return word in protected or (freq is not None and freq(word) > 0)

        segment = dictionary_cut(analyzer, hmm=False) if analyzer is not None else None
        char_freq = freq
        return cls(
            words,
            known=known,
            segment=segment,
            min_count=min_count,
            attested=attested,
            char_freq=char_freq,
            seen=seen,
        )

    # ------------------------------------------------------------------ queries
    def is_known(self, word: str) -> bool:
        """True when ``word`` is a correct word (a target or known to the extra test)."""
        return word in self._words or (self._known_extra is not None and self._known_extra(word))

    def correct(self, text: str) -> Correction | None:
        """Correct ``text`` (normalised); None when nothing was changed.

        The returned text has the same length as ``text``: edits replace characters one
        for one, so spans found in the corrected text are valid in the original too.
        """
        if not isinstance(text, str) or not text:
            return None
        edits: list[Edit] = []
        for run in _CJK_RUN.finditer(text):
            if run.end() - run.start() < 2:
                continue
            edits.extend(self._correct_run(run.group(), run.start()))
        if not edits:
            return None
        edits.sort(key=lambda e: (-_KIND_RANK[e.kind], -e.support))
        corrected, chosen = apply_edits(text, edits, MAX_EDITS)
        return Correction(corrected, chosen, min(_KIND_CONFIDENCE[e.kind] for e in chosen))

    def _correct_run(self, run: str, offset: int) -> list[Edit]:
        tokens = [t for t in self._segment(run) if t]
        if "".join(tokens) != run:  # a segmenter that does not tile the run: fall back to characters
            tokens = list(run)
        starts = list(itertools.accumulate((len(t) for t in tokens), initial=0))
        solid = [len(t) >= 2 and self.is_known(t) for t in tokens]
        edits = []
        for a in range(len(tokens)):
            for b in range(a, min(a + 4, len(tokens))):
                if all(solid[a : b + 1]):
                    continue
                start, end = starts[a], starts[b + 1]
                if end - start > MAX_WINDOW:
                    break
                if end - start < 2:
                    continue
                editable = [not solid[k] for k in range(a, b + 1) for _ in tokens[k]]
                anchored = any(solid[a : b + 1])
                edit = self._best(run[start:end], editable, anchored)
                if (
                    edit is not None
                    and not anchored
                    and end - start == 2
                    and self._seen is not None
                    and edit[2] < LOOSE_PAIR_SUPPORT
                ):
                    before, after = run[start - 1 : start], run[end : end + 1]
                    if not (before and self._seen(before + edit[0])) and not (after and self._seen(edit[0] + after)):
                        edit = None  # two loose characters: the fix must fit its neighbours too
                if edit is not None:
                    replacement, kind, support = edit
                    edits.append(Edit(offset + start, offset + end, run[start:end], replacement, kind, support))
        return edits

    def _best(self, window: str, editable: list[bool], anchored: bool) -> tuple[str, str, int] | None:
        """The one confident replacement of ``window``, or None.

        ``anchored``: the window holds a known word, so the target extends it (stronger evidence).
        """
        if self.is_known(window) or window in self._pieces:
            return None
        found: dict[str, str] = {}
        for key in sound_keys(window, fold_fuzzy=True):
            for word in self._by_sound.get(key, ()):
                kind = HOMOPHONE if same_sound(window, word) else NEAR_HOMOPHONE
                if _KIND_RANK[kind] > _KIND_RANK.get(found.get(word, ""), 0):
                    found[word] = kind
        if len(window) >= MIN_ONE_CHAR_WINDOW:
            for i in range(len(window)):
                for word in self._by_shape.get(window[:i] + "?" + window[i + 1 :], ()):
                    found.setdefault(word, ONE_CHAR)
        scored = []
        for word, kind in found.items():
            if word == window or not self._allowed(window, word, editable) or not self._unattested(window, word):
                continue
            support = self._words[word]
            need = self.min_count * {HOMOPHONE: 1, NEAR_HOMOPHONE: 2, ONE_CHAR: 10}[kind]
            if not anchored:
                if kind != HOMOPHONE:
                    continue
                need = self.min_count * UNANCHORED_FACTOR
            if support >= need:
                scored.append((_KIND_RANK[kind], support, word, kind))
        if not scored:
            return None
        scored.sort(reverse=True)
        rank, support, word, kind = scored[0]
        if len(scored) > 1:
            rank2, support2, _, _ = scored[1]
            if rank2 == rank and support < DOMINANCE * support2:
                return None  # two plausible fixes: prefer no change
        return word, kind, support

    def _allowed(self, window: str, word: str, editable: list[bool]) -> bool:
        """Only single-character tokens change, never numerals, and not too many characters."""
        changed = 0
        for ch, new, can in zip(window, word, editable, strict=True):
            if ch != new:
                if not can or ch in NUMERAL_CHARS or new in NUMERAL_CHARS:
                    return False
                if self._char_freq is not None and self._char_freq(ch) >= FUNCTION_CHAR_FREQ:
                    return False  # 的, 是, 大, 号...: too common on their own to be a typo
                changed += 1
        return 1 <= changed <= max(1, len(window) // 2)

    def _unattested(self, window: str, word: str) -> bool:
        """True when every changed character sits in a character pair never seen in the catalog."""
        for i, (ch, new) in enumerate(zip(window, word, strict=True)):
            if ch == new:
                continue
            pairs = [window[j : j + 2] for j in (i - 1, i) if j >= 0 and j + 2 <= len(window)]
            if pairs and all(self._bigrams.get(p, 0) > 0 for p in pairs):
                return False
        return True


def query_word_counts(queries: Iterable[str], analyzer=None) -> dict[str, int]:
    """Chinese strings of 2 to :data:`MAX_WINDOW` characters in past queries -> number of queries with them.

    Every substring of each Chinese run counts, not only dictionary words: the log's value
    is the names and words the dictionaries lack (a shop's brands, new products). Strings
    seen in fewer than :data:`LOG_KNOWN` queries are dropped (typos, noise), except pairs of
    two characters: a pair typed even once is evidence that shoppers write it (``净面``, ``蒙口``),
    which the sound-alike corrector needs to leave a rare real word alone; it still fixes a pair
    seen once towards a much more frequent one. Consumers that trust only known strings read
    counts of at least :data:`LOG_KNOWN`.
    """
    counts: Counter[str] = Counter()
    normalize = analyzer.normalize if analyzer is not None else str
    for query in dict.fromkeys(normalize(q) for q in queries if q and q.strip()):
        found: set[str] = set()
        for run in _CJK_RUN.findall(query):
            for i in range(len(run) - 1):
                found.update(run[i:j] for j in range(i + 2, min(len(run), i + MAX_WINDOW) + 1))
        counts.update(found)
    return {w: c for w, c in counts.items() if c >= LOG_KNOWN or len(w) == 2}


def _word_frequency(analyzer) -> Callable[[str], int] | None:
    """The analyzer's dictionary frequency lookup, when it has one."""
    return getattr(analyzer, "word_frequency", None) if analyzer is not None else None


def dictionary_cut(analyzer, *, hmm: bool | None = None) -> Callable[[str], list[str]]:
    """Precise-mode (non-overlapping) segmentation with the analyzer's dictionary
    (:meth:`~search.text.analyzer.ChineseAnalyzer.cut`); single characters and Latin runs
    when the analyzer cannot segment."""
    cut = getattr(analyzer, "cut", None) if analyzer is not None else None
    if cut is None:
        return lambda text: _FALLBACK_TOKEN.findall(text)
    return lambda text: cut(text, hmm=hmm)


_FALLBACK_TOKEN = re.compile(r"[a-z0-9]+|\s+|.", re.S)
