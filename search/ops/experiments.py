"""Experiments: shoppers split between profile variants by a stable hash.

``configs/experiments.yaml``::

    experiments:
      - id: fusion-weights-2026-12
        variants:
          - {name: control, profile: hybrid, share: 50}
          - {name: lexical-heavy, profile: bm25, share: 50}
        start: 2026-12-01T00:00:00+08:00    # optional, like end and enabled

A shopper's unit is the pseudonym of their id (anonymous shoppers: their session id).
``sha256(experiment id + unit)`` gives a bucket in 0..9999 and the shares (percent,
summing to 100) cut the buckets into variants, so a shopper stays in one variant for
the whole experiment and experiments are independent of each other. The first enabled
experiment within its time window applies; a search naming a profile, or one without
a shopper or session id, is outside the experiment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import Field, field_validator, model_validator

from search.config import StrictModel
from search.ops.yamlconf import check_unique

BUCKETS = 10_000


class Variant(StrictModel):
    """One arm: a profile and its share of the traffic (percent)."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    profile: str = Field(min_length=1, max_length=64)
    share: float = Field(gt=0, le=100)


class Experiment(StrictModel):
    """One experiment (see the module docstring)."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")
    description: str = ""
    enabled: bool = True
    variants: list[Variant] = Field(min_length=2, max_length=20)
    start: datetime | None = None
    end: datetime | None = None

    @field_validator("start", "end")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value

    @model_validator(mode="after")
    def _shares(self) -> Experiment:
        total = sum(v.share for v in self.variants)
        if abs(total - 100) > 1e-6:
            raise ValueError(f"variant shares must sum to 100 (they sum to {total:g})")
        names = [v.name for v in self.variants]
        if len(set(names)) != len(names):
            raise ValueError("variant names must be unique")
        return self

    def active(self, now: datetime) -> bool:
        """Enabled and within its time window."""
        return self.enabled and (self.start is None or now >= self.start) and (self.end is None or now < self.end)

    def variant_of(self, unit: str) -> Variant:
        """The variant of a unit (a shopper pseudonym or ``session:ID``)."""
        digest = hashlib.sha256(f"{self.id}\x00{unit}".encode()).digest()
        bucket = int.from_bytes(digest[:8], "big") % BUCKETS
        edge = 0.0
        for v in self.variants:
            edge += v.share * BUCKETS / 100
            if bucket < edge:
                return v
        return self.variants[-1]


class ExperimentsFile(StrictModel):
    """``configs/experiments.yaml``."""

    experiments: list[Experiment] = []

    @model_validator(mode="after")
    def _unique(self) -> ExperimentsFile:
        check_unique([x.id for x in self.experiments], "experiment ids")
        return self


@dataclass(frozen=True)
class Assignment:
    """A search's experiment arm."""

    experiment: str
    variant: str
    profile: str


class Experiments:
    """The experiments of a config snapshot."""

    def __init__(self, experiments: list[Experiment] | None = None) -> None:
        self.experiments = tuple(experiments or ())

    def assign(
        self,
        user_id: str | None,
        session_id: str | None,
        pseudonymize: Callable[[str], str],
        now: datetime | None = None,
    ) -> Assignment | None:
        """The arm of this shopper (or session) in the running experiment; None outside any."""
        if not self.experiments or not (user_id or session_id):
            return None
        now = now or datetime.now(UTC)
        for exp in self.experiments:
            if exp.active(now):
                unit = pseudonymize(user_id) if user_id else f"session:{session_id}"
                v = exp.variant_of(unit)
                return Assignment(exp.id, v.name, v.profile)
        return None
