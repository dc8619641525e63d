"""The live configuration: one immutable snapshot, swapped whole when a source changes.

A :class:`ConfigSnapshot` holds the relevance profiles, the merchandising rules, the
synonyms and the experiments. A search reads ``holder.current`` once and uses that
object throughout, so it never sees half a config. :meth:`ConfigHolder.reload` reads
every source, validates it and swaps in a new snapshot; a source that fails keeps its
previous version live and its error (file, line, key) is kept for ``GET /admin/config``
and logged. :meth:`ConfigHolder.poll` does that when a file's modification time or the
operations database's change counter moved (the engine calls it in its reload loop).

Sources: every ``configs/*.yaml`` profile, ``configs/rules.yaml``, ``configs/synonyms.yaml``,
``configs/experiments.yaml``, and the rules and synonyms made through the admin API
(:mod:`search.ops.store`, in the shared database; an admin-made item replaces a file item with the same id).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from search.config import ConfigError, Settings
from search.ops import yamlconf
from search.ops.experiments import Experiments, ExperimentsFile
from search.ops.rules import Rule, RulesFile
from search.ops.store import OpsStore
from search.ops.synonyms import Synonym, Synonyms, SynonymsFile
from search.profiles import ProfileRegistry

log = logging.getLogger(__name__)

RULES, SYNONYMS, EXPERIMENTS, PROFILES = "rules", "synonyms", "experiments", "profiles"
OPS_FILES = (RULES, SYNONYMS, EXPERIMENTS)


@dataclass(frozen=True)
class ConfigSnapshot:
    """Everything a search reads from configuration, as one immutable value."""

    profiles: ProfileRegistry
    rules: tuple[Rule, ...] = ()
    synonyms: Synonyms = field(default_factory=Synonyms)
    experiments: Experiments = field(default_factory=Experiments)
    generation: int = 0
    loaded_at: float = 0.0


class ConfigHolder:
    """Loads, validates and swaps the :class:`ConfigSnapshot` of one service.

    Args:
        settings: Where the configs folder and the data directory are.
        profiles: The profiles already loaded (the service does not start without valid ones).
        store: The operations database (default: the data directory's).
        load_profiles: Loads the profiles (tests may replace it).
    """

    def __init__(
        self,
        settings: Settings,
        profiles: ProfileRegistry,
        store: OpsStore | None = None,
        load_profiles: Callable[[], ProfileRegistry] | None = None,
    ) -> None:
        self.configs_dir = Path(settings.configs_dir)
        self.store = store or OpsStore.open(settings)
        self._load_profiles = load_profiles or (
            lambda: ProfileRegistry.load(self.configs_dir, settings.default_profile)
        )
        self._lock = threading.Lock()
        self._parts: dict[str, Any] = {PROFILES: profiles, RULES: (), SYNONYMS: (), EXPERIMENTS: []}
        self._db_items: dict[str, dict[str, Any]] = {RULES: {}, SYNONYMS: {}}
        self.errors: dict[str, str] = {}
        self._stamp: tuple[Any, ...] | None = None
        self.current = ConfigSnapshot(profiles)
        self.reload(initial=True)

    # ------------------------------------------------------------------ sources
    def path(self, name: str) -> Path:
        """The operator's file of a part (``rules``, ``synonyms``, ``experiments``)."""
        return self.configs_dir / f"{name}.yaml"

    def _file_stamp(self) -> tuple[Any, ...]:
        stamps = []
        for path in sorted(self.configs_dir.glob("*.yaml")):
            try:
                st = path.stat()
            except OSError:
                continue
            stamps.append((path.name, st.st_mtime_ns, st.st_size))
        return tuple(stamps)

    def _stamp_now(self) -> tuple[Any, ...]:
        try:
            version = self.store.version()
        except Exception as exc:  # a database outage keeps the rules live; it is reported, not fatal
            self.errors["database"] = f"{self.store.location}: {exc}"
            version = -1
        return (self._file_stamp(), version)

    def poll(self) -> bool:
        """Reload when a config file or the admin-made items changed; True when a new snapshot went live."""
        stamp = self._stamp_now()
        if stamp == self._stamp:
            return False
        return self.reload(stamp=stamp)

    # ------------------------------------------------------------------ loading
    def _load_file(self, name: str) -> Any:
        path = self.path(name)
        if not path.exists():
            return [] if name == EXPERIMENTS else ()
        if name == RULES:
            return tuple(yamlconf.load(path, RulesFile).rules)
        if name == SYNONYMS:
            return tuple(yamlconf.load(path, SynonymsFile).synonyms)
        return list(yamlconf.load(path, ExperimentsFile).experiments)

    def _load_db(self, kind: str) -> dict[str, Any]:
        model = Rule if kind == RULES else Synonym
        items = {}
        for item_id, body in self.store.live(kind).items():
            try:
                items[item_id] = model.model_validate(body)
            except ValidationError as exc:  # written by another version of the service
                raise ConfigError(yamlconf.describe(f"{self.store.location} ({kind} {item_id})", exc)) from None
        return items

    def reload(self, stamp: tuple[Any, ...] | None = None, initial: bool = False) -> bool:
        """Read every source; swap in a new snapshot. Sources that fail keep their last good version.

        Returns True when a new snapshot went live.
        """
        with self._lock:
            stamp = stamp or self._stamp_now()
            errors: dict[str, str] = {}
            parts = dict(self._parts)
            if not initial:
                try:
                    parts[PROFILES] = self._load_profiles()
                except (ConfigError, OSError) as exc:
                    errors[PROFILES] = yamlconf.add_lines(str(exc))
            for name in OPS_FILES:
                try:
                    parts[name] = self._load_file(name)
                except ConfigError as exc:
                    errors[name] = str(exc)
            db_items = dict(self._db_items)
            for kind in (RULES, SYNONYMS):
                try:
                    db_items[kind] = self._load_db(kind)
                except Exception as exc:  # noqa: BLE001 - a database outage keeps the last items live
                    errors[f"database:{kind}"] = str(exc)
            profiles: ProfileRegistry = parts[PROFILES]
            for exp in parts[EXPERIMENTS]:
                unknown = [v.profile for v in exp.variants if v.profile not in profiles.names()]
                if unknown:
                    errors[EXPERIMENTS] = (
                        f"{self.path(EXPERIMENTS)}: experiments.{exp.id}: unknown profile(s) {', '.join(unknown)}; "
                        f"valid: {', '.join(profiles.names())}"
                    )
                    parts[EXPERIMENTS] = self._parts[EXPERIMENTS]
                    break
            rules = {r.id: r for r in parts[RULES]} | db_items[RULES]
            synonyms = {s.id: s for s in parts[SYNONYMS]} | db_items[SYNONYMS]
            snapshot = ConfigSnapshot(
                profiles=profiles,
                rules=tuple(rules.values()),
                synonyms=Synonyms(synonyms.values()),
                experiments=Experiments(parts[EXPERIMENTS]),
                generation=self.current.generation + 1,
                loaded_at=time.time(),
            )
            for name, message in errors.items():
                if self.errors.get(name) != message:
                    log.error("config %s not reloaded, the previous version stays live: %s", name, message)
            self._parts, self._db_items, self.errors, self._stamp = parts, db_items, errors, stamp
            self.current = snapshot  # one reference assignment: searches see the old or the new, whole
            if not initial:
                log.info("configuration generation %d live", snapshot.generation)
            return True

    def describe(self) -> dict[str, Any]:
        """What is live and what failed (``GET /admin/config``)."""
        snap = self.current
        return {
            "generation": snap.generation,
            "loaded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(snap.loaded_at)),
            "profiles": snap.profiles.names(),
            "default_profile": snap.profiles.default,
            "rules": len(snap.rules),
            "synonyms": len(snap.synonyms),
            "experiments": [e.id for e in snap.experiments.experiments],
            "files": {name: str(self.path(name)) for name in OPS_FILES},
            "database": self.store.location,
            "errors": [{"source": k, "message": v} for k, v in sorted(self.errors.items())],
        }
