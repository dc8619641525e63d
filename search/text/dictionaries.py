"""Dictionary files under ``configs/dictionaries``: brands with aliases, product words,
attribute synonyms and stopwords. Plain text formats a relevance engineer can edit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from search.errors import InputError
from search.text.normalize import normalize


class DictionaryError(InputError):
    """A dictionary file is missing or malformed (the message names the file and line)."""


@dataclass(frozen=True)
class BrandEntry:
    """A brand as the dictionary knows it: its display name and normalised aliases."""

    canonical: str
    aliases: tuple[str, ...]


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DictionaryError(f"dictionary file not found: {path}") from None
    except UnicodeDecodeError as exc:
        raise DictionaryError(f"{path}: not UTF-8 ({exc.reason})") from None
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if line and not line.startswith("#"):
            yield number, line


def split_brand(brand: str) -> list[str]:
    """The aliases written into one brand string, normalised.

    Taobao writes bilingual brands as ``English/中文`` (``Laneige/兰芝``,
    ``L'Oreal/欧莱雅``); each side is an alias, and so is the whole string.
    """
    whole = normalize(brand)
    if not whole:
        return []
    parts = [p.strip() for p in whole.replace("／", "/").split("/")]
    aliases = [whole] + [p for p in parts if p and p != whole]
    return list(dict.fromkeys(aliases))


def load_brands(path: Path) -> list[BrandEntry]:
    """Read ``brands.tsv``: ``canonical<TAB>alias|alias|...`` (a header line is allowed)."""
    entries: list[BrandEntry] = []
    for number, line in _lines(path):
        cols = line.split("\t")
        if number == 1 and cols[0].lower() == "canonical":
            continue
        canonical = cols[0].strip()
        if not canonical:
            raise DictionaryError(f"{path}:{number}: empty brand name")
        aliases = split_brand(canonical)
        if len(cols) > 1:
            aliases += [normalize(a) for a in cols[1].split("|")]
        entries.append(BrandEntry(canonical, tuple(dict.fromkeys(a for a in aliases if a))))
    return entries


def load_words(path: Path) -> list[str]:
    """Read a word list (first tab-separated column of each line), normalised."""
    words = (normalize(line.split("\t")[0]) for _, line in _lines(path))
    return list(dict.fromkeys(w for w in words if w))


def load_attributes(path: Path) -> dict[str, list[tuple[str, ...]]]:
    """Read attribute synonym groups: ``{"功效": ["补水=保湿", "控油"], ...}``.

    Returns, per attribute name, groups of normalised synonyms; the first of a
    group is its canonical value.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DictionaryError(f"dictionary file not found: {path}") from None
    except json.JSONDecodeError as exc:
        raise DictionaryError(f"{path}:{exc.lineno}: invalid JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise DictionaryError(f"{path}: expected an object of attribute name -> list of groups")
    out: dict[str, list[tuple[str, ...]]] = {}
    for name, groups in data.items():
        if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
            raise DictionaryError(f"{path}: attribute {name!r} must map to a list of strings")
        parsed = [tuple(dict.fromkeys(v for v in (normalize(x) for x in g.split("=")) if v)) for g in groups]
        out[str(name)] = [g for g in parsed if g]
    return out
