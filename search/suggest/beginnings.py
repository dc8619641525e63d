"""How shoppers begin a query: every run of two and three Chinese characters, by the letters that type it.

Typed pinyin (``lianyi``) and initials (``nsc``) say little: many character runs sound or
start alike, and most real queries begin with a run no whole logged query began with. So
every 2- and 3-character run inside the logged queries and the catalog's phrases is
counted (a run that begins a logged query counts :data:`START_WEIGHT` times, one from the
catalog :data:`CATALOG_WEIGHT` times per product), and indexed under its full pinyin and
its initials with each character's two most common readings (a shopper types 长裙 as
``changqun``; ``zhangqun`` finds it too; rare readings such as 家 read *gu* would make
false matches). For typed letters, the runs they spell, most used first, are the likeliest
ways the shopper is going on; each comes with a phrase that starts with it
(the rest of the logged query or phrase it was seen in) to offer when no entry starts so.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Sequence

from search.text.pinyin import readings

#: lengths of the runs counted
LENGTHS = (2, 3)
#: a run that begins a logged query weighs this many runs inside one
START_WEIGHT = 5.0
#: a run in a catalog phrase weighs this much per product holding the phrase
CATALOG_WEIGHT = 0.3
#: runs kept per typed key, best first
TOP = 24
#: at most this many characters of the phrase a run was seen in are offered with it
SHOWN_CHARS = 10
#: readings of a character a run is found by (most common first)
READINGS = 2
_MAX_COMBOS = 4
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")


def _spellings(run: str) -> tuple[list[str], list[str]]:
    """(full pinyin keys, initials keys) of a run of Chinese characters, with its characters' common readings."""
    options = []
    for ch in run:
        rs = readings(ch)[:READINGS]
        if not rs:
            return [], []
        options.append(rs)
    combos = list(itertools.islice(itertools.product(*options), _MAX_COMBOS))
    full = list(dict.fromkeys("".join(c) for c in combos))
    initials = list(dict.fromkeys("".join(s[0] for s in c) for c in combos))
    return full, initials


class Beginnings:
    """Character runs by the pinyin and initials that type them (see the module docstring)."""

    def __init__(self, score: dict[str, float], shown: dict[str, str], by_pinyin: dict, by_initials: dict) -> None:
        self.score = score
        self.shown = shown
        self.by_pinyin: dict[str, list[str]] = by_pinyin
        self.by_initials: dict[str, list[str]] = by_initials

    @classmethod
    def build(
        cls, keys: Sequence[str], weights: Sequence[float], starts: Sequence[bool], shows: Sequence[bool] | None = None
    ) -> Beginnings:
        """``keys``: entries' character keys; ``weights``: how much each counts; ``starts``: whether a
        run at its very beginning is where a shopper began typing (logged queries); ``shows``: whether
        a key may be offered (a logged query that finds nothing only counts; default: every key)."""
        score: dict[str, float] = defaultdict(float)
        shown: dict[str, str] = {}
        shown_weight: dict[str, float] = {}
        if shows is None:
            shows = [True] * len(keys)
        for key, weight, start, show in zip(keys, weights, starts, shows, strict=True):
            for m in _HAN.finditer(key):
                run, at = m.group(), m.start()
                for i in range(len(run) - 1):
                    for n in LENGTHS:
                        if i + n > len(run):
                            break
                        gram = run[i : i + n]
                        w = weight * (START_WEIGHT if start and at + i == 0 else 1.0)
                        score[gram] += w
                        if show and w > shown_weight.get(gram, -1.0):
                            shown_weight[gram] = w
                            shown[gram] = key[at + i : at + i + SHOWN_CHARS]
        by_pinyin: dict[str, list[str]] = defaultdict(list)
        by_initials: dict[str, list[str]] = defaultdict(list)
        for gram in score:
            full, initials = _spellings(gram)
            for k in full:
                by_pinyin[k].append(gram)
            for k in initials:
                by_initials[k].append(gram)
        for index in (by_pinyin, by_initials):
            for grams in index.values():
                grams.sort(key=lambda g: (-score[g], g))
                del grams[TOP:]
        kept = {g for index in (by_pinyin, by_initials) for grams in index.values() for g in grams}
        return cls(
            {g: score[g] for g in kept}, {g: shown[g] for g in kept if g in shown}, dict(by_pinyin), dict(by_initials)
        )

    def lookup(self, letters: str, initials: bool) -> list[str]:
        """The runs ``letters`` types exactly (as full pinyin, or as initials), most used first."""
        return (self.by_initials if initials else self.by_pinyin).get(letters, [])
