"""Autocomplete over the query log and the catalog: characters, full pinyin, initials, mixed input, typos.

Entries are logged queries (kind ``query``), brands, categories and title words and
word pairs (kind ``product``), each with how often it was searched and how many
products it finds; a logged query that finds nothing is never offered. Three prefix
indexes (see :mod:`search.suggest.prefix`) find them by characters, by full pinyin and
by initials. Typed characters are completed as a whole and, for long-tail input, by
completing the last, partly typed word (``焦糖色美`` -> ``焦糖色美背``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from search.suggest.beginnings import Beginnings
from search.suggest.prefix import PrefixIndex
from search.suggest.source import CatalogPhrases
from search.text.analyzer import ChineseAnalyzer
from search.text.normalize import normalize
from search.text.pinyin import initials_keys, pinyin_keys, typed_pinyin

KINDS = ("query", "brand", "category", "product")
_KIND_BONUS = {"brand": 1.0, "category": 0.8, "query": 0.0, "product": 0.0}
_LETTER = re.compile(r"[a-z]")
_LEAD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_DROP = re.compile(r"[^\w\s\u3400-\u4dbf\u4e00-\u9fff]")
#: the last typed characters completed as a partly typed word, longest first
MAX_TAIL = 4
#: weight of a completion by how many typed characters it completes (the whole input weighs 1)
TAIL_WEIGHT = 0.6
TYPO_WEIGHT = 0.5
#: initials matches when the input has vowels (then it is more likely full pinyin)
INITIALS_WEIGHT = 0.3
#: weight of the number of entries continuing the input the same way
GROUP_WEIGHT = 0.5
#: the same for pinyin and initials, where the beginning is what is ambiguous
GROUP_WEIGHT_TYPED = 4.0
_VOWEL = re.compile(r"[aeiouv]")
MAX_SIZE = 50
#: rank initials' continuations by how often the run is used too (not only by the entries starting so)
BEGUN_INITIALS = True
#: an entry from the catalog counts, for how shoppers begin a query, this much per product it finds
CATALOG_WEIGHT = 0.3


@dataclass(frozen=True)
class Suggestion:
    """One completion: what to put in the search box."""

    text: str
    kind: str
    score: float


def char_key(text: str) -> str:
    """The character index key: normalised, without spaces."""
    return text.replace(" ", "")


def products_found(query: str, analyzer: ChineseAnalyzer, df: dict[str, int]) -> int:
    """About how many products a query finds: 0 unless at least half of its words are in some title
    (the same reading as the no-match rule: a partly matching query keeps its matching products)."""
    analysis = analyzer.analyze(query)
    tokens = set(analysis.words) | set(analysis.models)
    counts = [df.get(t, 0) for t in tokens]
    if not counts or sum(1 for n in counts if n) * 2 < len(counts):
        return 0
    return max(counts)


class Suggester:
    """The autocomplete structure of one build and query log (immutable; build a new one to refresh)."""

    def __init__(
        self,
        texts: list[str],
        kinds: list[str],
        searches: list[int],
        products: list[int],
        unfound: Iterable[tuple[str, int]] = (),
    ) -> None:
        """``unfound``: logged (query, count) that find nothing: never offered, but they still say
        how shoppers begin a query (their character runs count in :class:`Beginnings`)."""
        self.texts = texts
        self.kinds = kinds
        self.searches = searches
        self.products = products
        self.scores = [
            math.log1p(s) + 0.3 * math.log1p(p) + _KIND_BONUS[k]
            for s, p, k in zip(searches, products, kinds, strict=True)
        ]
        self.keys = [char_key(normalize(t)) for t in texts]
        chars: list[tuple[str, int]] = []
        full: list[tuple[str, int]] = []
        initials: list[tuple[str, int]] = []
        for i, key in enumerate(self.keys):
            chars.append((key, i))
            full.extend((k, i) for k in pinyin_keys(key))
            initials.extend((k, i) for k in initials_keys(key))
        self.by_chars = PrefixIndex(chars, self.scores)
        self.by_pinyin = PrefixIndex(full, self.scores)
        self.by_initials = PrefixIndex(initials, self.scores)
        # completing a partly typed word: words, brands and categories (not whole logged queries)
        words = [(k, i) for k, i in chars if kinds[i] != "query" or len(k) <= 4]
        self.by_word = PrefixIndex(words, self.scores)
        # every 2- and 3-character run, by the pinyin and initials that type it (see beginnings.py)
        unfound = [(char_key(q), n) for q, n in unfound]
        self.beginnings = Beginnings.build(
            self.keys + [q for q, _ in unfound],
            [
                max(s, 1) if k == "query" else s + CATALOG_WEIGHT * p
                for s, p, k in zip(searches, products, kinds, strict=True)
            ]
            + [max(n, 1) for _, n in unfound],
            [k == "query" or s > 0 for s, k in zip(searches, kinds, strict=True)] + [True] * len(unfound),
            [True] * len(self.keys) + [False] * len(unfound),
        )
        self.finds: Callable[[str], int] = lambda text: 1  # set by build(): whether a phrase finds products
        self._found: dict[str, bool] = {}

    def finds_products(self, text: str) -> bool:
        """Whether a composed phrase finds something (cached; never offer one that finds nothing)."""
        known = self._found.get(text)
        if known is None:
            known = self._found[text] = self.finds(text) > 0
        return known

    @classmethod
    def build(cls, phrases: CatalogPhrases, log: Iterable[tuple[str, int]], analyzer: ChineseAnalyzer) -> Suggester:
        """Entries from the catalog's phrases and the query log (queries that find nothing are left out)."""
        entries: dict[str, list] = {}  # char key -> [text, kind, searches, products]
        for kind in ("brand", "category", "product"):
            for text, n in phrases.phrases.get(kind, {}).items():
                key = char_key(normalize(text))
                if key and n > 0 and key not in entries:
                    entries[key] = [text, kind, 0, n]
        df = phrases.df
        unfound: list[tuple[str, int]] = []
        for query, count in log:
            key = char_key(query)
            if not key:
                continue
            entry = entries.get(key)
            if entry is not None:
                entry[2] += count
                continue
            found = products_found(query, analyzer, df)
            if found > 0:
                entries[key] = [query, "query", count, found]
            else:
                unfound.append((query, count))
        rows = list(entries.values())
        out = cls([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows], unfound)
        out.finds = lambda text: products_found(text, analyzer, df)
        return out

    def __len__(self) -> int:
        return len(self.texts)

    def _begun(self, group: str, mode: str) -> float:
        """How likely a way of continuing is: how many entries start that way, plus for pinyin
        (and initials, with ``BEGUN_INITIALS``) how often the run is used (see beginnings.py)."""
        count = self.by_chars.count(group)
        if mode == "pinyin" or (mode == "initials" and BEGUN_INITIALS):
            return count + self.beginnings.score.get(group, 0.0)
        return count

    # ------------------------------------------------------------------ lookup
    def suggest(self, q: str, size: int = 10, prefer: Iterable[str] = ()) -> list[Suggestion]:
        """Completions of what the shopper typed, best first. ``prefer``: brand names to put first."""
        text = _DROP.sub("", normalize(q)).strip()
        if not text or size <= 0:
            return []
        size = min(size, MAX_SIZE)
        want = self.by_chars.top_n
        found: dict[str, tuple[float, str]] = {}
        prior: dict[str, float] = {}  # how much of the group's usage a suggestion is credited with

        def offer(display: str, entry: int | None, weight: float, composed: bool = False, typo: bool = False) -> None:
            score = (self.scores[entry] if entry is not None else 0.0) * weight + weight
            old = found.get(display)
            if old is None or old[0] < score:
                found[display] = (score, "query" if composed or entry is None else self.kinds[entry])
                # a guessed typo does not inherit how popular the way it continues is
                prior[display] = TYPO_WEIGHT if typo else 1.0

        key = char_key(text)
        if _LETTER.search(key):
            letters = typed_pinyin(key)
            mode = "initials" if not _VOWEL.search(letters) else "pinyin"
            self._pinyin(key, letters, mode, want, offer)
        else:
            letters, mode = "", "chars"
            for i in self.by_chars.best(key, want):
                offer(self.texts[i], i, 1.0)
            for t in range(min(MAX_TAIL, len(key) - 1), 0, -1):
                head, tail = key[:-t], key[-t:]
                for i in self.by_word.best(tail, want):
                    offer(head + self.keys[i], i, TAIL_WEIGHT * t / MAX_TAIL, composed=True)
        preferred = [k for k in (char_key(normalize(b)) for b in prefer) if k]
        groups = {t: _group(t, key, letters, mode) for t in found}
        # a continuation many entries share is a likelier one: add how many entries start that way
        gw = GROUP_WEIGHT if mode == "chars" else GROUP_WEIGHT_TYPED
        found = {
            t: (s + prior[t] * gw * math.log1p(self._begun(groups[t], mode)), kind) for t, (s, kind) in found.items()
        }
        ranked = sorted(
            found.items(),
            key=lambda kv: (not any(p in char_key(kv[0].lower()) for p in preferred), -kv[1][0], kv[0]),
        )
        ranked = _diversify(ranked, groups.__getitem__)
        return [Suggestion(t, kind, round(s, 4)) for t, (s, kind) in ranked[:size]]

    def _pinyin(self, key: str, letters: str, mode: str, want: int, offer: Callable[..., None]) -> None:
        m = _LEAD.match(key)
        lead = m.group() if m else ""  # typed characters before the pinyin must start the completion

        def accept(i: int) -> bool:
            return not lead or self.keys[i].startswith(lead)

        hits = 0
        lookups = (
            (self.by_chars, key, 1.0),
            (self.by_pinyin, letters, 1.0),
            (self.by_initials, letters, 1.0 if mode == "initials" else INITIALS_WEIGHT),
        )
        for index, typed, weight in lookups:
            for i in index.best(typed, want):
                if accept(i):
                    offer(self.texts[i], i, weight)
                    hits += 1
        for gram in self.beginnings.lookup(letters, mode == "initials")[: want // 2]:
            if lead and not gram.startswith(lead):
                continue
            best = self.by_chars.best(gram, 1)
            if best:
                offer(self.texts[best[0]], best[0], 1.0)
            else:
                shown = self.beginnings.shown.get(gram, gram)
                if not self.finds_products(shown):
                    continue
                offer(shown, None, 1.0, composed=True)
            # a run spelled so with its characters' usual readings (not 之 read *zhu*) is no typo
            hits += _usual_spelling(gram, mode == "initials") == letters
        # nothing known is spelled that way: a typo is likelier
        if hits or not letters.isalpha() or len(letters) < 3:
            return
        for variant in _edits(letters):
            for i in self.by_pinyin.best(variant, 4):
                if accept(i):
                    offer(self.texts[i], i, TYPO_WEIGHT, typo=True)


def _usual_spelling(run: str, initials: bool) -> str:
    """How a run of characters is usually typed: each character's most common reading, or its initial."""
    spelled = [typed_pinyin(ch) for ch in run]
    return "".join(s[:1] if initials else s for s in spelled)


def _group(text: str, key: str, letters: str, mode: str) -> str:
    """Suggestions in one group continue the input the same way (the next character, or the characters meant)."""
    t = char_key(normalize(text))
    if mode == "chars":
        return t[: len(key) + 1]
    if mode == "initials":
        return t[: len(letters)]
    typed = 0
    for n, ch in enumerate(t, start=1):
        typed += len(typed_pinyin(ch)) or 1
        if typed >= len(letters):
            return t[:n]
    return t


def _diversify(ranked: list, group: Callable[[str], str]) -> list:
    """Best of each group first, then the rest in order: ten ways to continue beat ten of one."""
    seen: set[str] = set()
    first: list = []
    rest: list = []
    for item in ranked:
        g = group(item[0])
        (rest if g in seen else first).append(item)
        seen.add(g)
    return first + rest


def _edits(word: str) -> list[str]:
    """Every spelling one edit away (deletion, transposition, substitution, insertion), first letter kept."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    out: dict[str, None] = {}
    for i in range(1, len(word) + 1):
        a, b = word[:i], word[i:]
        if b:
            out[a + b[1:]] = None
        if len(b) > 1:
            out[a + b[1] + b[0] + b[2:]] = None
        for c in letters:
            if b:
                out[a + c + b[1:]] = None
            out[a + c + b] = None
    out.pop(word, None)
    return list(out)
