"""Pinyin of Chinese text, the one place for it: readings, input-method confusions, sound keys, initials.

Shoppers type with pinyin input methods, so a typo is usually a character that sounds
the same or nearly the same as the intended one. This module reads characters and words
as toneless pinyin (``pypinyin``, imported lazily) and folds the usual input-method
confusions: z/zh, c/ch, s/sh, n/l, an/ang, en/eng, in/ing.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

__all__ = [
    "fuzzy",
    "initials_keys",
    "pinyin_keys",
    "readings",
    "same_sound",
    "sound_keys",
    "syllables",
    "typed_pinyin",
    "typing_units",
    "word_readings",
]

_MAX_READING_COMBOS = 16

# Input-method confusions, applied to toneless pinyin syllables.
_FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"))
_FUZZY_FINALS = (("iang", "ian"), ("uang", "uan"), ("ang", "an"), ("eng", "en"), ("ing", "in"))


@lru_cache(maxsize=65536)
def readings(ch: str) -> tuple[str, ...]:
    """Toneless pinyin readings of one Chinese character (all of them, most common first)."""
    from pypinyin import Style, pinyin  # imported lazily: no work at import time

    found = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")
    return tuple(dict.fromkeys(r for r in found[0] if r)) if found else ()


def syllables(text: str) -> list[str]:
    """Toneless pinyin of a text, one syllable per Chinese character (in context:
    pypinyin's phrase dictionary picks the reading); other runs (Latin, digits) are kept as they are."""
    from pypinyin import lazy_pinyin  # imported lazily: pypinyin loads its dictionaries on import

    return lazy_pinyin(text)


@lru_cache(maxsize=8192)
def fuzzy(syllable: str) -> str:
    """A syllable with input-method confusions folded (``zhang`` -> ``zan``, ``ning`` -> ``lin``)."""
    for a, b in _FUZZY_INITIALS:
        if syllable.startswith(a):
            syllable = b + syllable[len(a) :]
            break
    for a, b in _FUZZY_FINALS:
        if syllable.endswith(a):
            return syllable[: -len(a)] + b
    return syllable


@lru_cache(maxsize=65536)
def word_readings(word: str) -> tuple[tuple[str, ...], ...]:
    """Per character, the readings a correctly written word is pronounced with.

    The contextual reading (pypinyin's phrase dictionary) and each character's most
    common reading: rare readings (提 read *shi*) would make false homophones.
    """
    from pypinyin import lazy_pinyin

    context = lazy_pinyin(word, errors=lambda chars: [""] * len(chars))  # type: ignore[arg-type,return-value]
    if len(context) != len(word):
        context = [""] * len(word)
    out = []
    for ch, r in zip(word, context, strict=True):
        common = readings(ch)[:1]
        out.append(tuple(dict.fromkeys(x for x in (r, *common) if x)))
    return tuple(out)


def sound_keys(word: str, fold_fuzzy: bool, target: bool = False) -> list[tuple[str, ...]]:
    """Pinyin keys of a word: one per combination of character readings (capped).

    Targets (correct words) use :func:`word_readings`; typed windows use every reading.
    """
    options = []
    per_char = word_readings(word) if target else tuple(readings(ch) for ch in word)
    for rs in per_char:
        if not rs:
            return []
        if fold_fuzzy:
            rs = tuple(dict.fromkeys(fuzzy(r) for r in rs))
        options.append(rs)
    return list(itertools.islice(itertools.product(*options), _MAX_READING_COMBOS))


def same_sound(typed: str, word: str) -> bool:
    """True when every typed character can be read like the word's character."""
    return all(x == y or set(readings(x)) & set(rs) for x, y, rs in zip(typed, word, word_readings(word), strict=True))


# ---------------------------------------------------------------------------- keys for typing

_MAX_TYPING_KEYS = 4
_HEAD_CHARS = 2  # alternative readings are tried for the first characters only (what is typed first)


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def typing_units(text: str) -> list[tuple[str, ...]]:
    """Per unit of already-normalised ``text``, the ways to type it: a Chinese character's
    most common reading, a Latin/digit run as itself; spaces and
    punctuation are dropped."""
    out: list[tuple[str, ...]] = []
    run = ""
    for ch in text:
        if ch.isascii() and ch.isalnum():
            run += ch
            continue
        if run:
            out.append((run,))
            run = ""
        if _is_han(ch):
            rs = readings(ch)[:1]
            if rs:
                out.append(rs)
    if run:
        out.append((run,))
    return out


def _keys(units: list[tuple[str, ...]], first_letter: bool) -> list[str]:
    head = [u if i < _HEAD_CHARS else u[:1] for i, u in enumerate(units)]
    keys = []
    for combo in itertools.islice(itertools.product(*head), _MAX_TYPING_KEYS):
        parts = [(s[0] if first_letter and not s[0].isdigit() else s) for s in combo]
        keys.append("".join(parts))
    return list(dict.fromkeys(keys))


def pinyin_keys(text: str) -> list[str]:
    """Full-pinyin spellings of normalised ``text`` (``兰芝隔离霜`` -> ``lanzhigelishuang``); several when
    one of its first characters has two readings."""
    return _keys(typing_units(text), first_letter=False)


def initials_keys(text: str) -> list[str]:
    """Pinyin initials of normalised ``text`` (``兰芝隔离霜`` -> ``lzgls``; Latin words give their first letter)."""
    return _keys(typing_units(text), first_letter=True)


def typed_pinyin(text: str) -> str:
    """What a shopper typed, as letters: Chinese characters become their most common reading
    (``兰zhi`` -> ``lanzhi``), Latin letters and digits stay, everything else goes."""
    out = []
    for ch in text:
        if ch.isascii():
            if ch.isalnum():
                out.append(ch.lower())
        elif _is_han(ch):
            rs = readings(ch)
            if rs:
                out.append(rs[0])
    return "".join(out)
