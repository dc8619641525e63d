"""Merchandising rules: the operator's ``configs/rules.yaml`` and the admin API's rules.

A rule says when it applies (``match``: the exact query, a phrase the query contains,
or the parsed intent's category or brand; every given condition must hold; optional
``start``/``end`` times) and what it does: ``pin`` products at positions, ``hide``
products, ``boost`` or ``bury`` products matching a filter (brand, category prefix,
attributes, price range). Example::

    rules:
      - id: phones-xiaomi-first
        match: {contains: 手机}
        pin: [p123, p456]            # positions 1 and 2; or {p123: 1, p456: 3}
        hide: [p789]
        boost: {brand: 小米, by: 0.3}
        bury: {category: 数码配件, by: 0.5}
        end: 2026-12-31T23:59:59+08:00

Applying them is a pure ranking step, :mod:`search.rank.merchandising`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pydantic import Field, field_validator, model_validator

from search.config import StrictModel
from search.ops.yamlconf import check_unique
from search.text.normalize import normalize

RULE_ID = r"^[A-Za-z0-9_.:-]{1,64}$"
MAX_PINS = 50


class RuleMatch(StrictModel):
    """When a rule applies: every condition given must hold (at least one)."""

    query: str | None = Field(None, min_length=1, max_length=256, description="the whole query, normalised")
    contains: str | None = Field(None, min_length=1, max_length=256, description="a phrase in the query")
    category: str | None = Field(None, min_length=1, max_length=200, description="parsed category (path prefix)")
    brand: str | None = Field(None, min_length=1, max_length=100, description="parsed brand")

    @model_validator(mode="after")
    def _some(self) -> RuleMatch:
        if not any((self.query, self.contains, self.category, self.brand)):
            raise ValueError("give at least one of query, contains, category, brand")
        return self


class ItemFilter(StrictModel):
    """Which products a boost or bury moves: every condition given must hold (at least one)."""

    brand: list[str] = Field(default_factory=list, max_length=50)
    category: str | None = Field(None, min_length=1, max_length=200, description="category path prefix")
    attributes: dict[str, str] = Field(default_factory=dict, max_length=20)
    price_min: float | None = Field(None, ge=0)
    price_max: float | None = Field(None, ge=0)
    by: float = Field(0.2, gt=0, le=10, description="added to (boost) or taken from (bury) the score")

    @field_validator("brand", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _some(self) -> ItemFilter:
        priced = self.price_min is not None or self.price_max is not None
        if not (self.brand or self.category or self.attributes or priced):
            raise ValueError("give at least one of brand, category, attributes, price_min, price_max")
        if self.price_min is not None and self.price_max is not None and self.price_min > self.price_max:
            raise ValueError("price_min must not exceed price_max")
        return self


class Rule(StrictModel):
    """One merchandising rule (see the module docstring)."""

    id: str = Field(pattern=RULE_ID)
    description: str = Field("", max_length=500)
    enabled: bool = True
    match: RuleMatch
    pin: dict[str, int] = Field(default_factory=dict, description="product id -> position (1-based)")
    hide: list[str] = Field(default_factory=list, max_length=1000)
    boost: list[ItemFilter] = Field(default_factory=list, max_length=20)
    bury: list[ItemFilter] = Field(default_factory=list, max_length=20)
    start: datetime | None = None
    end: datetime | None = None

    @field_validator("pin", mode="before")
    @classmethod
    def _positions(cls, value: Any) -> Any:
        if isinstance(value, list):  # [a, b, c] pins at positions 1, 2, 3
            if len(set(map(str, value))) != len(value):
                raise ValueError("a product is pinned twice")
            return {str(pid): i for i, pid in enumerate(value, start=1)}
        return value

    @field_validator("boost", "bury", mode="before")
    @classmethod
    def _filters(cls, value: Any) -> Any:
        return [value] if isinstance(value, dict) else value

    @field_validator("pin")
    @classmethod
    def _pin_range(cls, value: dict[str, int]) -> dict[str, int]:
        if len(value) > MAX_PINS:
            raise ValueError(f"at most {MAX_PINS} pins per rule")
        for pid, pos in value.items():
            if not 1 <= pos <= 1000:
                raise ValueError(f"position of {pid!r} must be between 1 and 1000")
        if len(set(value.values())) != len(value):
            raise ValueError("two products are pinned at the same position")
        return value

    @field_validator("start", "end")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value

    @model_validator(mode="after")
    def _acts(self) -> Rule:
        if not (self.pin or self.hide or self.boost or self.bury):
            raise ValueError("a rule needs at least one of pin, hide, boost, bury")
        if self.start is not None and self.end is not None and self.start >= self.end:
            raise ValueError("start must be before end")
        both = set(self.pin) & set(self.hide)
        if both:
            raise ValueError(f"products both pinned and hidden: {', '.join(sorted(both))}")
        return self

    def active(self, now: datetime) -> bool:
        """Enabled and within its time window."""
        if not self.enabled:
            return False
        return (self.start is None or now >= self.start) and (self.end is None or now < self.end)

    def matches(
        self,
        queries: tuple[str, ...],
        categories: tuple[str, ...],
        brand_keys: tuple[str, ...],
        resolve_brand: Callable[[str], str | None] = lambda _: None,
    ) -> bool:
        """Whether the rule applies to a query with these parsed categories and brand keys.

        ``queries`` are the normalised forms of the query (as typed, and after synonym rewrites):
        ``query`` and ``contains`` hold when they hold for any of them. The rule's brand is
        compared normalised and as the catalog brand key it resolves to.
        """
        m = self.match
        if m.query is not None and normalize(m.query).strip() not in queries:
            return False
        if m.contains is not None and not any(normalize(m.contains).strip() in q for q in queries):
            return False
        if m.category is not None:
            want = "/".join(p.strip() for p in normalize(m.category).replace(">", "/").split("/") if p.strip())
            if not any(c == want or c.startswith(want + "/") for c in categories):
                return False
        if m.brand is None:
            return True
        return bool({normalize(m.brand), resolve_brand(m.brand)} & set(brand_keys))


class RulesFile(StrictModel):
    """``configs/rules.yaml``."""

    rules: list[Rule] = []

    @model_validator(mode="after")
    def _unique(self) -> RulesFile:
        check_unique([x.id for x in self.rules], "rule ids")
        return self
