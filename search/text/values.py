"""Values as real Chinese catalogs write them: ``"¥99"``, ``"1,299"``, ``"1.2万"``, ``"99元"``, ``"1万+"``.

:func:`catalog_number` turns such a string into a number (``None`` when it is not one);
:func:`clean_text` removes control characters (NUL, escapes, C1) from catalog text;
:func:`flatten_attributes` turns nested attribute objects into flat name/value pairs.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from search.understand.numbers import parse_cn_number

_CURRENCY_PREFIX = re.compile(r"^(?:¥|RMB|CNY|人民币)\s*", re.IGNORECASE)
_SUFFIX = re.compile(r"\s*(?:元|块|圆|人民币|件|笔|单|人付款|人已买|\+)+$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?")
#: control characters: C0 (NUL, ESC, ...), DEL and C1; tabs and newlines become spaces
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BREAKS = re.compile(r"[\t\n\r]+")
MAX_DEPTH = 3


def catalog_number(text: str) -> float | None:
    """The number a catalog string means, or ``None``: ``"¥1,299.00"`` -> 1299.0, ``"1.2万"`` -> 12000.0."""
    s = unicodedata.normalize("NFKC", text).strip()
    s = _CURRENCY_PREFIX.sub("", s)
    s = _SUFFIX.sub("", s).strip()
    match = _THOUSANDS.match(s)
    if match:
        s = match.group().replace(",", "") + s[match.end() :]
    if not s:
        return None
    return parse_cn_number(s)


def has_control(text: str) -> bool:
    """True when ``text`` holds a control character (including tabs and newlines)."""
    return bool(_CONTROL.search(text) or _BREAKS.search(text))


def clean_text(text: str) -> str:
    """``text`` without control characters (line breaks and tabs become one space)."""
    return _CONTROL.sub("", _BREAKS.sub(" ", text))


def flatten_attributes(value: dict[Any, Any], depth: int = 0) -> dict[str, Any]:
    """Nested objects flattened: ``{"规格": {"颜色": "红"}}`` -> ``{"颜色": "红"}``.

    A nested name keeps its own (leaf) name unless an attribute of that name exists
    already; then it is ``parent.child``. Nesting deeper than :data:`MAX_DEPTH` is an error.
    """
    out: dict[str, Any] = {}
    nested: list[tuple[str, dict[str, Any]]] = []
    for key, val in value.items():
        if isinstance(val, dict):
            if depth >= MAX_DEPTH:
                raise ValueError(f"attribute {key!r} is nested more than {MAX_DEPTH} levels deep")
            nested.append((str(key).strip(), flatten_attributes(val, depth + 1)))
        else:
            out[str(key).strip()] = val
    for parent, children in nested:
        for child, val in children.items():
            name = child if child not in out else f"{parent}.{child}"
            out.setdefault(name, val)
    return out
