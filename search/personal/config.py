"""The personalization config (``configs/personalization.yaml``), validated like the profiles.

It says how events become signals (weights per event type, time decay), how the CF
model is trained, and how recommendations blend their signals. How much personal
terms count in a search ranking is a relevance knob and lives in each profile's
``personalization:`` section instead.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator

from search.config import ConfigError, StrictModel, format_validation_error, read_yaml

CONFIG_FILE = "personalization.yaml"

EventType = Literal["view", "click", "cart", "purchase", "search_click"]
EVENT_TYPES: tuple[str, ...] = ("view", "click", "cart", "purchase", "search_click")


class EventWeights(StrictModel):
    """How much one event of each type counts (0 ignores the type)."""

    view: float = Field(1.0, ge=0)
    click: float = Field(2.0, ge=0)
    cart: float = Field(4.0, ge=0)
    purchase: float = Field(6.0, ge=0)
    search_click: float = Field(2.0, ge=0)

    def of(self, event: str) -> float:
        """The weight of an event type."""
        return float(getattr(self, event))


class EventsConfig(StrictModel):
    """Event weights and exponential time decay."""

    weights: EventWeights = EventWeights()
    half_life_days: float = Field(60.0, gt=0)

    @property
    def tau_s(self) -> float:
        """The decay time constant in seconds: weight x exp(-age / tau) halves every half-life."""
        return self.half_life_days * 86400.0 / math.log(2.0)


class AffinityConfig(StrictModel):
    """How brand and category affinities combine into one affinity term (0..1 each, weighted mean)."""

    brand: float = Field(1.0, ge=0)
    category: float = Field(0.5, ge=0)
    #: pseudo-weight added to the strongest key before normalising, so thin histories give weaker affinities
    prior: float = Field(1.0, ge=0)


class CFConfig(StrictModel):
    """Implicit-feedback ALS (``implicit.cpu.als``)."""

    factors: int = Field(64, ge=2, le=1024)
    iterations: int = Field(15, ge=1, le=200)
    regularization: float = Field(0.05, ge=0)
    alpha: float = Field(5.0, gt=0)
    seed: int = 42
    threads: int = Field(2, ge=1, le=64)


class SimilarConfig(StrictModel):
    """Item-item co-occurrence similarity and the ``/products/{id}/similar`` blend."""

    top_k: int = Field(50, ge=1, le=1000)
    min_support: int = Field(2, ge=1)
    cf_weight: float = Field(0.5, ge=0)
    dense_weight: float = Field(0.5, ge=0)


class RecommendConfig(StrictModel):
    """Weights of the ``/recommend`` score: CF + affinity + popularity (each normalised to 0..1)."""

    cf: float = Field(1.0, ge=0)
    affinity: float = Field(0.5, ge=0)
    popularity: float = Field(0.05, ge=0)
    #: which of the shopper's own items never come back (purchases always excluded)
    exclude: Literal["purchased", "seen"] = "seen"


class PersonalConfig(StrictModel):
    """Everything in ``configs/personalization.yaml``."""

    events: EventsConfig = EventsConfig()
    affinity: AffinityConfig = AffinityConfig()
    cf: CFConfig = CFConfig()
    similar: SimilarConfig = SimilarConfig()
    recommend: RecommendConfig = RecommendConfig()
    keep_versions: int = Field(2, ge=1, le=100)

    @model_validator(mode="after")
    def _some_weight(self) -> PersonalConfig:
        if self.affinity.brand + self.affinity.category <= 0:
            raise ValueError("affinity.brand and affinity.category cannot both be 0")
        return self


def load_personal_config(configs_dir: Path) -> PersonalConfig:
    """Read ``personalization.yaml`` from ``configs_dir`` (defaults when the file is absent)."""
    path = Path(configs_dir) / CONFIG_FILE
    if not path.exists():
        return PersonalConfig()
    try:
        return PersonalConfig.model_validate(read_yaml(path))
    except ValidationError as exc:
        raise ConfigError(format_validation_error(str(path), exc)) from None
