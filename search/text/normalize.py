"""Text normalisation applied identically to product text and to queries.

Steps, in order:

1. drop control and zero-width characters (tabs and newlines become spaces);
2. Unicode NFKC: full-width letters, digits and punctuation become half-width
   (``ＳＫ－ＩＩ`` -> ``SK-II``, ``５０ｍｌ`` -> ``50ml``), compatibility forms are
   unfolded (``㎖`` -> ``ml``);
3. lower-case Latin letters;
4. Traditional -> Simplified Chinese (OpenCC ``t2s``), so ``蘭芝隔離霜`` matches ``兰芝隔离霜``;
5. unit spellings after a number are unified (``50 ML`` / ``50毫升`` -> ``50ml``,
   ``2公斤`` -> ``2kg``);
6. brand spellings shoppers and sellers write several ways become one form
   (``SKII`` / ``SK2`` / ``sk-ⅱ`` -> ``sk-ii``: :data:`BRAND_FORMS`);
7. runs of whitespace collapse to one space.

Every path a query takes (lexical analysis, the dense encoder's text, parsing, highlighting,
suggestions) starts from this function, so a Traditional or full-width query and its
Simplified, half-width twin are the same query from the first step on.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

_CONTROL = re.compile(
    r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]"
)
_SPACES = re.compile(r"\s+")

# Unit words after a number -> canonical Latin unit. Order matters: longer first.
_UNITS: tuple[tuple[str, str], ...] = (
    ("毫升", "ml"),
    ("千克", "kg"),
    ("公斤", "kg"),
    ("毫克", "mg"),
    ("毫米", "mm"),
    ("厘米", "cm"),
    ("英寸", "寸"),
    ("克", "g"),
    ("升", "l"),
    ("ml", "ml"),
    ("kg", "kg"),
    ("mg", "mg"),
    ("mm", "mm"),
    ("cm", "cm"),
    ("mah", "mah"),
    ("gb", "gb"),
    ("tb", "tb"),
    ("g", "g"),
    ("l", "l"),
)
# A unit must not run on into a longer word (``3克拉`` is carats, ``5升级`` an upgrade).
_UNIT_GUARD = {"克": "(?!拉)", "升": "(?![级降])"}
_UNIT_RE = re.compile(
    r"(?<![a-z])(\d+(?:\.\d+)?)\s*("
    + "|".join(re.escape(u) + _UNIT_GUARD.get(u, "") for u, _ in _UNITS)
    + r")(?![a-z])"
)
_UNIT_MAP = dict(_UNITS)

#: Brand spellings that name one brand: variant pattern (on lower-cased, half-width text) -> form.
BRAND_FORMS: tuple[tuple[str, str], ...] = ((r"sk[- ]?(?:ii|2)", "sk-ii"),)
_BRAND_RE = re.compile(r"(?<![a-z0-9])(?:" + "|".join(f"({p})" for p, _ in BRAND_FORMS) + r")(?![a-z0-9])")


def _brand_form(match: re.Match[str]) -> str:
    return BRAND_FORMS[(match.lastindex or 1) - 1][1]


_opencc_lock = threading.Lock()


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # imported lazily: no work at import time

    with _opencc_lock:
        try:
            return opencc.OpenCC("t2s")
        except Exception:  # older bindings want the file name
            return opencc.OpenCC("t2s.json")


def _unit(match: re.Match[str]) -> str:
    return match.group(1) + _UNIT_MAP[match.group(2)]


def normalize(text: str, *, t2s: bool = True, units: bool = True) -> str:
    """Normalise product or query text (see the module docstring for the steps).

    Args:
        text: Any string; non-strings raise ``TypeError``.
        t2s: Convert Traditional to Simplified Chinese.
        units: Unify unit spellings after numbers.

    Returns:
        The normalised text; empty if nothing printable was left.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected str, got {type(text).__name__}")
    text = text.replace("\t", " ").replace("\n", " ").replace("\r", " ")
    text = _CONTROL.sub("", text)
    text = unicodedata.normalize("NFKC", text).lower()
    if t2s and not text.isascii():
        text = _t2s().convert(text)
    if units:
        text = _UNIT_RE.sub(_unit, text)
    text = _BRAND_RE.sub(_brand_form, text)
    return _SPACES.sub(" ", text).strip()
