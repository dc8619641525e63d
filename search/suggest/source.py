"""What the catalog offers autocomplete, computed at index time and saved with each build.

``suggest.json`` in a build holds phrases with the number of products whose title
holds them: title words, pairs of consecutive title words (in-title continuations),
brand names and category names, plus each title token's document frequency (to tell
whether a logged query would find anything).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from search.product import Product
from search.text.analyzer import ChineseAnalyzer
from search.text.lexicon import Lexicon

SOURCE_FILE = "suggest.json"
#: a pair of title words is offered when at least this many titles hold it
MIN_PAIR_PRODUCTS = 2
_WORD = re.compile(r"[\w\u4e00-\u9fff]")
_LATIN = re.compile(r"^[a-z0-9]+$")


@dataclass
class CatalogPhrases:
    """Phrases by kind (``product``, ``brand``, ``category``) -> products holding them, and title token frequencies."""

    phrases: dict[str, dict[str, int]] = field(default_factory=dict)
    df: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"phrases": self.phrases, "df": self.df}

    @classmethod
    def from_dict(cls, data: dict) -> CatalogPhrases:
        return cls({k: dict(v) for k, v in data.get("phrases", {}).items()}, dict(data.get("df", {})))


def _join(a: str, b: str) -> str:
    return f"{a} {b}" if _LATIN.match(a[-1:]) and _LATIN.match(b[:1]) else a + b


def catalog_phrases(products: Sequence[Product], analyzer: ChineseAnalyzer, lexicon: Lexicon) -> CatalogPhrases:
    """Count the catalog's phrases (see the module docstring)."""
    words: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    df: Counter[str] = Counter()
    for product in products:
        text = analyzer.normalize(product.title)
        tokens = [t.strip() for t in analyzer.cut(text)]
        tokens = [t for t in tokens if t and _WORD.search(t) and t not in analyzer.stopwords]
        words.update({t for t in tokens if len(t) > 1})
        pairs.update({_join(a, b) for a, b in zip(tokens, tokens[1:], strict=False) if len(a) + len(b) > 2})
        analysis = analyzer.analyze(product.title)
        df.update(set(analysis.words) | set(analysis.models))
    product_words = dict(words)
    for phrase, n in pairs.items():
        if n >= MIN_PAIR_PRODUCTS and phrase not in product_words:
            product_words[phrase] = n
    brands: dict[str, int] = {}
    for brand in lexicon.brands.values():
        if brand.count <= 0:
            continue
        for name in brand.name.split("/"):
            name = name.strip()
            if name:
                brands[name] = max(brands.get(name, 0), brand.count)
    categories: dict[str, int] = {}
    for path, n in lexicon.categories.items():
        leaf = path.rsplit("/", 1)[-1]
        categories[leaf] = max(categories.get(leaf, 0), n)
    return CatalogPhrases({"product": product_words, "brand": brands, "category": categories}, dict(df))


def write_source(build: Path, products: Sequence[Product], analyzer: ChineseAnalyzer, lexicon: Lexicon) -> None:
    """Save the catalog's phrases into a build being written."""
    data = catalog_phrases(products, analyzer, lexicon).to_dict()
    (Path(build) / SOURCE_FILE).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def read_source(build: Path) -> CatalogPhrases:
    """The phrases saved with a build (empty for a build made before autocomplete existed)."""
    path = Path(build) / SOURCE_FILE
    if not path.exists():
        return CatalogPhrases()
    return CatalogPhrases.from_dict(json.loads(path.read_text(encoding="utf-8")))
