"""Synonyms and query rewrites, applied at query time (no rebuild).

``configs/synonyms.yaml`` (and the admin API) hold two kinds::

    synonyms:
      - id: xiaomi-pinyin          # one-way: these phrases are rewritten to `to`
        from: [xiaomi shouji, xiaomishouji]
        to: 小米手机
      - id: phone-case             # two-way: any term also matches the others
        terms: [手机壳, 保护套]

A one-way rewrite changes the query itself, before parsing: the parser, the lexical
query and the text the dense encoder sees all get ``小米手机``. A two-way group only
widens the lexical query: ``手机壳`` searches ``手机壳 保护套`` by BM25, the dense encoder
sees the shopper's words. Phrases are compared normalised (width, case, script); a
phrase with Latin letters or digits only matches at word boundaries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pydantic import Field, field_validator, model_validator

from search.config import StrictModel
from search.ops.yamlconf import check_unique
from search.text.normalize import normalize

SYNONYM_ID = r"^[A-Za-z0-9_.:-]{1,64}$"


class Synonym(StrictModel):
    """One synonym entry: one-way (``from`` -> ``to``) or two-way (``terms``)."""

    id: str = Field(pattern=SYNONYM_ID)
    from_: list[str] = Field(default_factory=list, alias="from", max_length=50)
    to: str | None = Field(None, min_length=1, max_length=100)
    terms: list[str] = Field(default_factory=list, max_length=50)

    model_config = StrictModel.model_config | {"populate_by_name": True}

    @field_validator("from_", "terms", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("from_", "terms")
    @classmethod
    def _phrases(cls, value: list[str]) -> list[str]:
        for phrase in value:
            if not normalize(phrase).strip() or len(phrase) > 100:
                raise ValueError("each phrase must have 1 to 100 characters")
        return value

    @model_validator(mode="after")
    def _kind(self) -> Synonym:
        one_way = bool(self.from_) or self.to is not None
        if one_way and self.terms:
            raise ValueError("give either from + to (one-way) or terms (two-way), not both")
        if one_way and not (self.from_ and self.to):
            raise ValueError("a one-way rewrite needs both from and to")
        if not one_way and len({normalize(t).strip() for t in self.terms}) < 2:
            raise ValueError("a two-way synonym needs at least two different terms")
        return self

    def to_dict(self) -> dict[str, Any]:
        """The entry as written in the file (``from``, not ``from_``), without empty fields."""
        return {k: v for k, v in self.model_dump(by_alias=True).items() if v not in (None, [])}


class SynonymsFile(StrictModel):
    """``configs/synonyms.yaml``."""

    synonyms: list[Synonym] = []

    @model_validator(mode="after")
    def _unique(self) -> SynonymsFile:
        check_unique([x.id for x in self.synonyms], "synonym ids")
        return self


def _pattern(phrase: str) -> re.Pattern[str]:
    escaped = re.escape(phrase)
    start = r"(?<![a-z0-9])" if re.match(r"[a-z0-9]", phrase) else ""
    end = r"(?![a-z0-9])" if re.search(r"[a-z0-9]$", phrase) else ""
    return re.compile(start + escaped + end)


class Synonyms:
    """The compiled synonyms of a config snapshot (immutable once built)."""

    def __init__(self, entries: Iterable[Synonym] = ()) -> None:
        self.entries = tuple(entries)
        rewrites: list[tuple[str, str, str]] = []
        groups: list[tuple[str, tuple[str, ...]]] = []
        for e in self.entries:
            if e.to is not None:
                to = normalize(e.to).strip()
                rewrites += [(normalize(f).strip(), to, e.id) for f in e.from_]
            else:
                groups.append((e.id, tuple(dict.fromkeys(normalize(t).strip() for t in e.terms))))
        rewrites.sort(key=lambda r: -len(r[0]))  # the longest phrase first
        self._rewrites = [(_pattern(f), to, sid) for f, to, sid in rewrites]
        self._groups = [(sid, terms, [_pattern(t) for t in terms]) for sid, terms in groups]

    def __len__(self) -> int:
        return len(self.entries)

    def rewrite(self, text: str) -> tuple[str, list[str]]:
        """The query with one-way rewrites applied, and the ids applied (the text unchanged when none)."""
        if not self._rewrites or not text.strip():
            return text, []
        out = normalize(text)
        applied = []
        for pattern, to, sid in self._rewrites:
            new = pattern.sub(to, out)
            if new != out:
                out = new
                applied.append(sid)
        return (out, applied) if applied else (text, [])

    def expand(self, text: str) -> tuple[str, list[str]]:
        """The lexical query widened by two-way synonyms, and the ids applied."""
        if not self._groups or not text.strip():
            return text, []
        norm = normalize(text)
        extra: list[str] = []
        applied = []
        for sid, terms, patterns in self._groups:
            present = [t for t, p in zip(terms, patterns, strict=True) if p.search(norm)]
            if present:
                missing = [t for t in terms if t not in present and t not in extra]
                if missing:
                    extra += missing
                    applied.append(sid)
        return (f"{text} {' '.join(extra)}", applied) if extra else (text, [])
