"""Configuration: infrastructure settings (environment) and the indexing config (YAML).

Relevance profiles live in :mod:`search.profiles`. Everything is validated when it
is loaded: an unknown key is an error that names the key.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from search.errors import InputError


class ConfigError(InputError):
    """A configuration file or setting is invalid; the message says which key and why."""


class StrictModel(BaseModel):
    """Base for configuration models: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def default_configs_dir() -> Path:
    """``./configs`` if it exists, else the ``configs`` folder next to the installed package."""
    local = Path("configs")
    if local.is_dir():
        return local
    return Path(__file__).resolve().parent.parent / "configs"


class Settings(BaseSettings):
    """Infrastructure settings, read from the environment (prefix ``SEARCH_``) or keyword arguments."""

    model_config = SettingsConfigDict(env_prefix="SEARCH_", extra="forbid", frozen=True)

    def __init__(self, **values: Any) -> None:
        """Read the settings; an invalid value raises :class:`ConfigError` naming the setting."""
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise ConfigError(format_validation_error("settings (SEARCH_* environment)", exc)) from None

    data_dir: Path = Path("data")
    configs_dir: Path = Field(default_factory=default_configs_dir)
    default_profile: str = "hybrid"
    # Server deployment: when set, the Qdrant server behind this URL is used instead of the embedded shard.
    # ``qdrant+local://PATH`` (or ``QDRANT_PATH``) runs qdrant-client's local mode behind the same code (tests).
    qdrant_url: str | None = Field(None, validation_alias=AliasChoices("QDRANT_URL", "SEARCH_QDRANT_URL"))
    qdrant_path: Path | None = Field(None, validation_alias=AliasChoices("QDRANT_PATH", "SEARCH_QDRANT_PATH"))
    qdrant_api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("QDRANT_API_KEY", "SEARCH_QDRANT_API_KEY")
    )
    collection: str = "products"
    shard_number: int = Field(3, ge=1)
    replication_factor: int = Field(2, ge=1)
    qdrant_timeout_s: float = Field(60.0, gt=0)
    qdrant_prefer_grpc: bool = False
    # How long ``indexer build`` waits for the cluster to finish HNSW indexing of a new collection.
    qdrant_index_wait_s: float = Field(3600.0, gt=0)
    # Pseudonymisation of shopper ids and the admin API.
    user_id_secret: SecretStr = SecretStr("change-me-in-production")
    admin_token: SecretStr | None = None
    # Signed shopper tokens: when set, a shopper is accepted only as a token signed with this secret.
    shopper_token_secret: SecretStr | None = None
    # "production" refuses to start with the default user_id_secret.
    env: Literal["development", "production"] = "development"
    # API keys with scopes (see search.api.auth): inline entries and/or a YAML keys file, hashes only.
    api_keys: str | None = None
    api_keys_file: Path | None = None
    # Language-model query parsing (OpenAI-compatible server).
    llm_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    # Circuit breaker: after this many timeouts/errors within the window, skip the model for the cool-down.
    llm_breaker_failures: int = Field(5, ge=1)
    llm_breaker_window_s: float = Field(30.0, gt=0)
    llm_breaker_cooldown_s: float = Field(30.0, gt=0)
    # Embedding model override (otherwise the index's own model is used).
    embedder: str | None = None
    torch_threads: int | None = Field(None, ge=1)
    reload_interval_s: float = Field(2.0, ge=0)
    # Request bounds: body size (413 beyond it) and an optional rate limit per client address (429).
    max_body_bytes: int = Field(1_048_576, ge=1024)
    rate_limit_per_s: float | None = Field(None, gt=0)
    rate_limit_burst: int = Field(20, ge=1)
    log_level: str = "INFO"
    # The storefront page at ``/``: the public key it sends (a key with the ``search`` scope; it is
    # visible to every visitor, like any browser search key) and the shoppers its picker offers.
    storefront_key: SecretStr | None = None
    storefront_shoppers: list[str] = ["u0002", "u0005", "u0011", "u0010"]
    # Shared state (events, profiles, operations data): PostgreSQL for several API nodes, else SQLite in data_dir.
    db_url: SecretStr | None = None
    db_pool_size: int = Field(10, ge=1)
    db_timeout_s: float = Field(5.0, gt=0)
    # Search log and analytics (see docs/operations.md).
    log_searches: bool = True
    log_retention_days: float = Field(90.0, gt=0)
    log_queue_size: int = Field(10_000, ge=1)
    # Behaviour events written at once; further requests wait up to events_wait_s, then get 429.
    events_max_inflight: int = Field(2, ge=1)
    events_wait_s: float = Field(0.5, ge=0)
    # Events this process accepts a second, all clients together (off: None); beyond it 429 before the body is read.
    events_per_s: float | None = Field(None, gt=0)
    # Browser origins allowed to call the API (CORS), comma-separated: the shop's own sites.
    cors_origins: str = ""

    def cors_origin_list(self) -> list[str]:
        """``cors_origins`` as a list (empty: no cross-origin access)."""
        return [o.strip().rstrip("/") for o in self.cors_origins.split(",") if o.strip()]


# ---------------------------------------------------------------------------- indexing config

Feature = Literal["words", "models", "chars"]


class AnalysisConfig(StrictModel):
    """How text is normalised and segmented (applied identically at index and query time)."""

    t2s: bool = True
    units: bool = True
    hmm: bool = True
    user_word_freq: int = Field(20000, ge=1)
    brands: list[str] = ["dictionaries/brands.tsv"]
    product_words: list[str] = ["dictionaries/product_words.txt"]
    attributes: list[str] = ["dictionaries/attributes.json"]
    stopwords: list[str] = ["dictionaries/stopwords.txt"]
    #: optional files of past queries (one per line): evidence of the spellings shoppers use
    query_log: list[str] = []


class LexicalFieldConfig(StrictModel):
    """One sparse BM25 vector: which analyzer features it holds and its BM25 parameters."""

    features: list[Feature] = Field(min_length=1)
    k1: float = Field(1.2, gt=0)
    b: float = Field(0.75, ge=0, le=1)


class SourceWeights(StrictModel):
    """How much each product field counts in the lexical text (BM25F-style term-frequency weights)."""

    title: float = Field(1.0, ge=0)
    brand: float = Field(1.0, ge=0)
    category: float = Field(0.5, ge=0)
    attributes: float = Field(0.0, ge=0)


class LexicalConfig(StrictModel):
    """The lexical (BM25) side of the index."""

    fields: dict[str, LexicalFieldConfig] = {
        "bm25": LexicalFieldConfig(features=["words", "models"], k1=1.2, b=0.75),
        "ngram": LexicalFieldConfig(features=["chars", "models"], k1=0.9, b=0.4),
    }
    sources: SourceWeights = SourceWeights()

    @field_validator("fields")
    @classmethod
    def _names(cls, value: dict[str, LexicalFieldConfig]) -> dict[str, LexicalFieldConfig]:
        if not value:
            raise ValueError("at least one lexical field is required")
        for name in value:
            if not name.isidentifier() or name == "dense":
                raise ValueError(f"invalid lexical field name {name!r}")
        return value


class DenseConfig(StrictModel):
    """The embedding side of the index."""

    model: str = "e5-small"
    text: str = "{title}"
    #: embed the analyzer's normalised text (width, case, script, units), as queries are
    normalize: bool = True
    batch_size: int = Field(64, ge=1, le=4096)
    cache: bool = True

    @field_validator("text")
    @classmethod
    def _template(cls, value: str) -> str:
        try:
            value.format(title="", brand="", category="", attributes="")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"dense.text may use {{title}}, {{brand}}, {{category}}, {{attributes}}: {exc}") from None
        return value


class StoreConfig(StrictModel):
    """Vector store layout."""

    hnsw_m: int = Field(16, ge=4, le=128)
    hnsw_ef_construct: int = Field(100, ge=8, le=1000)
    dense_on_disk: bool = False
    quantization: Literal["none", "int8"] = "none"
    #: Qdrant server URL (``QDRANT_URL`` wins); never recorded in a build's manifest
    url: str | None = Field(None, exclude=True)


class IndexConfig(StrictModel):
    """Everything that shapes an index build (``configs/indexing.yaml``)."""

    analysis: AnalysisConfig = AnalysisConfig()
    lexical: LexicalConfig = LexicalConfig()
    dense: DenseConfig = DenseConfig()
    store: StoreConfig = StoreConfig()


def read_yaml(path: Path) -> dict[str, Any]:
    """Read a YAML mapping, with errors that name the file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    return data


def format_validation_error(source: str, exc: ValidationError) -> str:
    """One readable line per problem: ``file: key.path: message``."""
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        lines.append(f"{source}: {loc}: {msg}")
    return "\n".join(lines)


def load_index_config(path: Path | None, configs_dir: Path) -> IndexConfig:
    """Load the indexing config (defaults when ``path`` is None and no ``indexing.yaml`` exists)."""
    if path is None:
        candidate = configs_dir / "indexing.yaml"
        if not candidate.exists():
            return IndexConfig()
        path = candidate
    data = read_yaml(path)
    try:
        return IndexConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(str(path), exc)) from None


def resolve_config_path(name: str, configs_dir: Path) -> Path:
    """A dictionary path from the config: absolute, or relative to the configs folder."""
    path = Path(os.path.expanduser(name))
    return path if path.is_absolute() else configs_dir / path
