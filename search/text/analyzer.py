"""The analyzer: the same text processing for product text at index time and for queries.

An :class:`Analysis` of a text carries several token *features*; each lexical
field of the index (configured in ``configs/indexing.yaml``) is a bag of some of them:

- ``words``: jieba segmentation (search mode) with the catalog's brands, product
  words and attribute values as user words; stopwords, punctuation and Latin/digit
  runs removed (those are the ``models`` feature).
- ``models``: Latin/digit runs kept whole (``p70d20tl-d4``, ``18-55stm``, ``z62``)
  and also split into useful parts (``p70d20tl``, ``d4``, ``1855stm``, ``55stm``, ``stm``).
- ``chars``: character unigrams and bigrams over the text with spaces and
  punctuation removed (robust to segmentation errors, typos and unseen words).
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from search.text.normalize import normalize

log = logging.getLogger(__name__)

FEATURES = ("words", "models", "chars")

_MODEL = re.compile(r"[a-z0-9]+(?:[-./+_][a-z0-9]+)*")
# "." separates parts except inside a decimal number (f/4-5.6 -> f, 4, 5.6)
_SEP = re.compile(r"[-/+_]|\.(?!\d)|(?<!\d)\.")
_RUN = re.compile(r"[a-z]+|[0-9]+")
_KEEP = re.compile(r"[^\w]|_", re.UNICODE)
_ASCII_TOKEN = re.compile(r"^[a-z0-9\-./+_]+$")
_DECIMAL = re.compile(r"^\d+\.\d+$")


@dataclass(frozen=True)
class Analysis:
    """The features of one text. Features are computed on first use."""

    normalized: str
    _segment: object  # callable str -> list[str]; kept opaque so the dataclass stays frozen
    _stopwords: frozenset[str]

    @cached_property
    def words(self) -> list[str]:
        """jieba tokens (search mode), minus stopwords, punctuation and Latin/digit runs."""
        out = []
        for token in self._segment(self.normalized):  # type: ignore[operator]
            token = token.strip()
            if not token or token in self._stopwords or not _KEEP.sub("", token):
                continue
            if _ASCII_TOKEN.match(token):
                continue  # Latin and digit runs are the ``models`` feature
            out.append(token)
        return out

    @cached_property
    def models(self) -> list[str]:
        """Latin/digit runs, whole and split into parts (see the module docstring)."""
        out: list[str] = []
        for match in _MODEL.finditer(self.normalized):
            out.extend(model_tokens(match.group()))
        return out

    @cached_property
    def chars(self) -> list[str]:
        """Character unigrams and bigrams with whitespace and punctuation removed."""
        s = _KEEP.sub("", self.normalized)
        return list(s) + [s[i : i + 2] for i in range(len(s) - 1)]

    def feature(self, name: str) -> list[str]:
        """One feature by name."""
        if name not in FEATURES:
            raise ValueError(f"unknown analyzer feature {name!r}; valid: {', '.join(FEATURES)}")
        return getattr(self, name)

    def tokens(self, features: Sequence[str]) -> list[str]:
        """The bag of tokens of several features, concatenated."""
        out: list[str] = []
        for name in features:
            out.extend(self.feature(name))
        return out


def model_tokens(token: str) -> list[str]:
    """Expand one Latin/digit run into its whole form and useful parts.

    ``p70d20tl-d4`` -> ``p70d20tl-d4, p70d20tld4, p70d20tl, d4``;
    ``18-55stm`` -> ``18-55stm, 1855stm, 18, 55stm, 55, stm``;
    ``rtx4060`` -> ``rtx4060, rtx, 4060``. Single letters are dropped; decimals
    (``1.5``) stay whole.
    """
    if _DECIMAL.match(token):
        return [token]
    out: dict[str, None] = {}
    if len(token) > 1 or token.isdigit():
        out[token] = None
    parts = [p for p in _SEP.split(token) if p]
    if len(parts) > 1:
        out["".join(parts)] = None
    for part in parts:
        if len(part) > 1 or part.isdigit():
            out[part] = None
        if _DECIMAL.match(part):
            continue
        runs = _RUN.findall(part)
        if 2 <= len(runs) <= 3:
            for run in runs:
                if len(run) > 1 or run.isdigit():
                    out[run] = None
    return list(out)


class ChineseAnalyzer:
    """jieba-based analyzer with user dictionaries and stopwords.

    Args:
        user_words: Words to keep whole (brands, product words, attribute values), normalised.
        stopwords: Tokens dropped from the ``words`` feature, normalised.
        t2s: Convert Traditional to Simplified.
        units: Unify unit spellings.
        hmm: Let jieba guess unknown words with its HMM.
        user_word_freq: jieba frequency given to user words (high keeps them whole).
    """

    def __init__(
        self,
        user_words: Iterable[str] = (),
        stopwords: Iterable[str] = (),
        *,
        t2s: bool = True,
        units: bool = True,
        hmm: bool = True,
        user_word_freq: int = 20000,
    ) -> None:
        self.t2s = t2s
        self.units = units
        self.hmm = hmm
        self.user_word_freq = user_word_freq
        self._user_words = [w for w in dict.fromkeys(normalize(w, t2s=t2s, units=units) for w in user_words) if w]
        self._stopwords = frozenset(normalize(w, t2s=t2s, units=units) for w in stopwords) - {""}
        self._jieba = None
        self._lock = threading.Lock()

    @property
    def stopwords(self) -> frozenset[str]:
        """The stopword set (normalised)."""
        return self._stopwords

    def _tokenizer(self):
        if self._jieba is None:
            with self._lock:
                if self._jieba is None:
                    import jieba

                    tk = jieba.Tokenizer()
                    freq, total = _general_dictionary()
                    tk.FREQ, tk.total, tk.initialized = dict(freq), total, True  # a copy: user words go in
                    for word in self._user_words:
                        freq = max(tk.FREQ.get(word, 0), self.user_word_freq)
                        tk.add_word(word, freq=freq)
                    self._jieba = tk
        return self._jieba

    def user_words_digest(self) -> str:
        """A fingerprint of everything that shapes tokenization (words, stopwords, options)."""
        blob = "\n".join(
            [
                repr((self.t2s, self.units, self.hmm, self.user_word_freq)),
                *sorted(self._user_words),
                "--",
                *sorted(self._stopwords),
            ]
        )
        return hashlib.sha1(blob.encode("utf-8")).hexdigest()

    def warm_up(self) -> None:
        """Load jieba's dictionary now rather than on the first request."""
        self._tokenizer()

    def normalize(self, text: str) -> str:
        """Normalise text (see :func:`search.text.normalize.normalize`)."""
        return normalize(text, t2s=self.t2s, units=self.units)

    def segment(self, normalized: str) -> list[str]:
        """jieba search-mode segmentation of already-normalised text."""
        return self._tokenizer().lcut_for_search(normalized, HMM=self.hmm)

    def cut(self, normalized: str, *, hmm: bool | None = None) -> list[str]:
        """Precise-mode (non-overlapping) segmentation of already-normalised text, a tiling of it.

        ``segment`` is search mode (overlapping pieces, for indexing); query reading needs a
        tiling. ``hmm`` overrides the analyzer's setting (False: dictionary words only).
        """
        return self._tokenizer().lcut(normalized, HMM=self.hmm if hmm is None else hmm)

    def word_frequency(self, word: str) -> int:
        """jieba's dictionary frequency of ``word`` (user words included), 0 when unknown."""
        return int(self._tokenizer().FREQ.get(word, 0))

    def analyze(self, text: str) -> Analysis:
        """Normalise ``text`` and return its lazily computed features."""
        return Analysis(self.normalize(text), self.segment, self._stopwords)


_GENERAL: tuple[dict[str, int], int] | None = None
_GENERAL_LOCK = threading.Lock()


def _general_dictionary() -> tuple[dict[str, int], int]:
    """jieba's general dictionary (word -> frequency, total), loaded once per process.

    Loading it takes about a second; every analyzer (one per build, one per reload) starts
    from a copy of it (tens of milliseconds, about 15 MB: the copy shares the word strings)
    and adds its own user words. :func:`common_words` looks words up in it.
    """
    global _GENERAL
    with _GENERAL_LOCK:
        if _GENERAL is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tk = jieba.Tokenizer()
            tk.initialize()
            _GENERAL = (tk.FREQ, tk.total)
        return _GENERAL


def common_words(words: Iterable[str]) -> set[str]:
    """The ``words`` that jieba's general dictionary lists (common words, not obscure brand names)."""
    wanted = set(words)
    if not wanted:
        return set()
    freq, _ = _general_dictionary()
    return {w for w in wanted if freq.get(w, 0) > 0}  # 0: a prefix jieba adds, not a listed word
