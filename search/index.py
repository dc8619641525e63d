"""One published index build, opened with everything needed to query it consistently.

A build directory carries its own analyzer inputs (user words, stopwords, the
analysis config) and lexicon, so the query side always analyses text exactly as
the index side did, whatever has changed in ``configs/`` since.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from search.config import AnalysisConfig, IndexConfig, Settings
from search.retrieve.bm25 import FieldStats
from search.store.base import Store
from search.store.layout import check_format, read_manifest
from search.text.analyzer import ChineseAnalyzer
from search.text.lexicon import Lexicon

ANALYSIS_DIR = "analysis"
LEXICON = "lexicon.json"


def make_analyzer(config: AnalysisConfig, user_words: list[str], stopwords: list[str]) -> ChineseAnalyzer:
    """The analyzer for an analysis config and word lists."""
    return ChineseAnalyzer(
        user_words,
        stopwords,
        t2s=config.t2s,
        units=config.units,
        hmm=config.hmm,
        user_word_freq=config.user_word_freq,
    )


def save_analysis(build: Path, user_words: list[str], stopwords: list[str], lexicon: Lexicon) -> None:
    """Store the analyzer inputs and the lexicon inside a build."""
    folder = build / ANALYSIS_DIR
    folder.mkdir(exist_ok=True)
    (folder / "user_words.txt").write_text("\n".join(user_words) + "\n", encoding="utf-8")
    (folder / "stopwords.txt").write_text("\n".join(sorted(stopwords)) + "\n", encoding="utf-8")
    lexicon.save(build / LEXICON)


def _read_list(path: Path) -> list[str]:
    return [w for w in path.read_text(encoding="utf-8").splitlines() if w]


@dataclass
class IndexHandle:
    """A build's manifest, config, lexicon, analyzer and an open store."""

    build: Path
    manifest: dict[str, Any]
    config: IndexConfig
    lexicon: Lexicon
    analyzer: ChineseAnalyzer
    store: Store
    field_stats: dict[str, FieldStats]

    @property
    def version(self) -> str:
        """The build's name."""
        return self.build.name

    @property
    def embedder_spec(self) -> str:
        """The embedding model the build was made with."""
        return str(self.manifest["dense"]["model"])

    def close(self) -> None:
        """Close the store."""
        self.store.close()


def load_build_parts(build: Path) -> tuple[dict[str, Any], IndexConfig, Lexicon, ChineseAnalyzer]:
    """Manifest, config, lexicon and analyzer of a build (no store)."""
    manifest = read_manifest(build)
    check_format(build, manifest)
    config = IndexConfig.model_validate(manifest["index_config"])
    lexicon = Lexicon.load(build / LEXICON)
    analyzer = make_analyzer(
        config.analysis,
        _read_list(build / ANALYSIS_DIR / "user_words.txt"),
        _read_list(build / ANALYSIS_DIR / "stopwords.txt"),
    )
    return manifest, config, lexicon, analyzer


def open_build(build: Path, settings: Settings | None = None) -> IndexHandle:
    """Open a published build for querying, on the backend it was written with."""
    from search.store.backend import backend_for_build

    manifest, config, lexicon, analyzer = load_build_parts(build)
    stats = {name: FieldStats(**s) for name, s in manifest["lexical"].items()}
    store = backend_for_build(manifest, settings or Settings()).open(build)
    return IndexHandle(build, manifest, config, lexicon, analyzer, store, stats)
