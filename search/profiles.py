"""Relevance profiles: named YAML files in ``configs/`` that a relevance engineer tunes.

A profile says which retrieval sources to use and how deep, how to fuse them, how
the query's shape adapts the blend, what parsed intent becomes (filter or boost),
and how much personalization counts. Profiles inherit from each other like Vespa
rank profiles (``inherits: hybrid``); the child's keys override the parent's,
mapping by mapping. Every file is validated when the service starts: an unknown
key is an error naming the file and the key. Files whose name starts with ``_``
are abstract (inheritable, not selectable); ``indexing.yaml``, ``personalization.yaml`` and the
operations files (``rules``, ``synonyms``, ``experiments``, see :mod:`search.ops`) are not profiles.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from search.config import ConfigError, StrictModel, format_validation_error, read_yaml
from search.errors import InputError

NOT_PROFILES = {"indexing", "personalization", "rules", "synonyms", "experiments"}


class FusionMethod(StrEnum):
    """How per-source rankings are combined."""

    RRF = "rrf"
    DBSF = "dbsf"
    WEIGHTED = "weighted"

    @classmethod
    def from_str(cls, value: str) -> FusionMethod:
        """Parse a method name; the error lists the valid ones."""
        try:
            return cls(value)
        except ValueError:
            valid = ", ".join(m.value for m in cls)
            raise ValueError(f"unknown fusion method {value!r}; valid: {valid}") from None


class SourceConfig(StrictModel):
    """One retrieval source: a lexical field of the index (``bm25``, ``ngram``) or ``dense``."""

    enabled: bool = True
    depth: int = Field(100, ge=1, le=5000)
    weight: float = Field(1.0, ge=0)
    #: HNSW search breadth (dense only); higher finds more true neighbours, slower
    ef: int | None = Field(None, ge=1, le=10000)


class FusionConfig(StrictModel):
    """Fusion of the sources' rankings (see :mod:`search.rank.fusion`)."""

    method: FusionMethod = FusionMethod.WEIGHTED
    rrf_k: float = Field(60.0, gt=0)
    normalize: Literal["minmax", "zscore"] = "minmax"
    #: score-based methods: also score each candidate under the sources whose top list missed it
    complete: bool = True
    #: the sources completed that way (empty: all of them)
    complete_sources: list[str] = []

    @field_validator("method", mode="before")
    @classmethod
    def _method(cls, value: Any) -> Any:
        return FusionMethod.from_str(value) if isinstance(value, str) else value


class AdaptiveConfig(StrictModel):
    """Query-adaptive fusion: the query's shape multiplies source weights (see :mod:`search.rank.adaptive`)."""

    enabled: bool = False
    model_number_lexical: float = Field(1.5, ge=0)
    brand_lexical: float = Field(1.2, ge=0)
    descriptive_dense: float = Field(1.3, ge=0)
    short_lexical: float = Field(1.0, ge=0)
    descriptive_min_words: int = Field(4, ge=1)


IntentUse = Literal["filter", "boost", "off"]


class IntentConfig(StrictModel):
    """What each part of the parsed query does: a hard filter, a score boost, or nothing."""

    brand: IntentUse = "boost"
    category: IntentUse = "boost"
    price: IntentUse = "filter"
    #: with ``price: filter``, products whose price is unknown: ``keep`` them (the ones known to be
    #: in range get the price boost) or ``drop`` them. Explicit request bounds always drop them.
    price_unknown: Literal["keep", "drop"] = "keep"
    attributes: IntentUse = "boost"
    exclude: Literal["filter", "off"] = "filter"
    sort: bool = True


class BoostConfig(StrictModel):
    """Additive boosts on the normalised relevance score (0..1) when a candidate matches parsed intent."""

    brand: float = Field(0.15, ge=0)
    category: float = Field(0.05, ge=0)
    product_word: float = Field(0.05, ge=0)
    attribute: float = Field(0.03, ge=0)
    price: float = Field(0.5, ge=0)
    popularity: float = Field(0.0, ge=0)


class UnderstandingConfig(StrictModel):
    """Query understanding: the parser, the language model's role, and what intent does."""

    llm: Literal["off", "fallback", "always"] = "off"
    llm_budget_ms: int = Field(300, ge=10, le=10000)
    min_confidence: float = Field(0.6, ge=0, le=1)
    spelling: bool = True
    intent: IntentConfig = IntentConfig()
    boosts: BoostConfig = BoostConfig()


class PersonalizationConfig(StrictModel):
    """Personalized rerank weights (applied when a user id is given and has history)."""

    enabled: bool = True
    top_n: int = Field(100, ge=1, le=2000)
    cf: float = Field(0.4, ge=0)
    affinity: float = Field(0.3, ge=0)
    popularity: float = Field(0.0, ge=0)


class FacetsConfig(StrictModel):
    """Facets returned with results."""

    enabled: bool = True
    size: int = Field(10, ge=1, le=100)
    price_bands: list[float] = [50, 100, 200, 500, 1000, 2000, 5000]

    @field_validator("price_bands")
    @classmethod
    def _bands(cls, value: list[float]) -> list[float]:
        if value != sorted(value) or len(set(value)) != len(value) or any(v <= 0 for v in value):
            raise ValueError("price_bands must be positive and strictly increasing")
        return value


class NoMatchConfig(StrictModel):
    """Knowing when nothing matches (see :mod:`search.rank.nomatch`)."""

    enabled: bool = True
    #: the top items whose words are compared with the query's
    top_k: int = Field(20, ge=1, le=500)
    #: share of the query's (rarity-weighted) words one top item must hold
    min_coverage: float = Field(0.1, ge=0, le=1)
    #: best dense similarity that alone is a match (calibrated: benchmarks/nomatch_calibrate.py)
    dense_threshold: float = Field(0.905, ge=-1, le=1)
    #: a query word at most this many titles hold is rare: an item holding it counts only when ...
    rare_df: int = Field(2, ge=0)
    #: ... its dense similarity reaches this (calibrated: benchmarks/nomatch_calibrate.py)
    rare_dense: float = Field(0.88, ge=-1, le=1)
    #: candidates returned as ``related`` when nothing matches (0: none)
    related: int = Field(5, ge=0, le=100)


class Profile(StrictModel):
    """A relevance profile (see the module docstring)."""

    name: str
    description: str = ""
    sources: dict[str, SourceConfig]
    fusion: FusionConfig = FusionConfig()
    adaptive: AdaptiveConfig = AdaptiveConfig()
    understanding: UnderstandingConfig = UnderstandingConfig()
    personalization: PersonalizationConfig = PersonalizationConfig()
    facets: FacetsConfig = FacetsConfig()
    nomatch: NoMatchConfig = NoMatchConfig()
    pool: int = Field(200, ge=1, le=5000)
    #: with a price or sales sort, only candidates at least this relevant (0..1 of the best) are sorted
    sort_min_relevance: float = Field(0.3, ge=0, le=1)

    @model_validator(mode="after")
    def _has_source(self) -> Profile:
        if not any(s.enabled and s.weight > 0 for s in self.sources.values()):
            raise ValueError("at least one source must be enabled with a weight above 0")
        return self

    def active_sources(self) -> dict[str, SourceConfig]:
        """Enabled sources with a positive weight."""
        return {n: s for n, s in self.sources.items() if s.enabled and s.weight > 0}


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


class UnknownProfileError(InputError, KeyError):
    """A profile name that is not configured; the message lists the valid ones."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class ProfileRegistry:
    """All profiles of a configs folder, resolved and validated at load time."""

    def __init__(self, profiles: dict[str, Profile], default: str) -> None:
        if default not in profiles:
            raise ConfigError(f"default profile {default!r} not found; valid: {', '.join(sorted(profiles))}")
        self._profiles = profiles
        self.default = default

    @classmethod
    def load(cls, configs_dir: Path, default: str = "hybrid") -> ProfileRegistry:
        """Read, resolve (inheritance) and validate every profile in ``configs_dir``."""
        raw: dict[str, dict[str, Any]] = {}
        files: dict[str, Path] = {}
        for path in sorted(Path(configs_dir).glob("*.yaml")):
            if path.stem in NOT_PROFILES:
                continue
            raw[path.stem] = read_yaml(path)
            files[path.stem] = path

        def resolve(name: str, chain: tuple[str, ...]) -> dict[str, Any]:
            if name in chain:
                raise ConfigError(f"profile inheritance cycle: {' -> '.join((*chain, name))}")
            if name not in raw:
                raise ConfigError(f"{files[chain[-1]]}: inherits unknown profile {name!r}")
            data = dict(raw[name])
            parent = data.pop("inherits", None)
            if parent is None:
                return data
            if not isinstance(parent, str):
                raise ConfigError(f"{files[name]}: inherits must be a profile name")
            return _merge(resolve(parent, (*chain, name)), data)

        profiles: dict[str, Profile] = {}
        for name in raw:
            if name.startswith("_"):
                continue
            data = resolve(name, ())
            data["name"] = name
            try:
                profiles[name] = Profile.model_validate(data)
            except ValidationError as exc:
                raise ConfigError(format_validation_error(str(files[name]), exc)) from None
        if not profiles:
            raise ConfigError(f"no relevance profiles in {configs_dir}")
        return cls(profiles, default)

    def names(self) -> list[str]:
        """Selectable profile names."""
        return sorted(self._profiles)

    def get(self, name: str | None) -> Profile:
        """A profile by name (the default for None); :class:`UnknownProfileError` lists the valid names."""
        key = name or self.default
        try:
            return self._profiles[key]
        except KeyError:
            raise UnknownProfileError(f"unknown profile {key!r}; valid: {', '.join(self.names())}") from None
