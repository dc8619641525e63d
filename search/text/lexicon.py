"""The catalog vocabulary: brands (with aliases), categories, product words and attribute values.

Built by the indexer from the catalog plus the dictionary files, saved with each
index build, and used by the analyzer (jieba user words) and by the query parser
(recognising and grounding brands, categories and attributes).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from search.product import Product
from search.text.dictionaries import BrandEntry, split_brand
from search.text.normalize import normalize

_LATIN_WORD = re.compile(r"[a-z]+")


@dataclass
class Brand:
    """One brand: a stable key, the display name, every alias (normalised) and its product count."""

    key: str
    name: str
    aliases: list[str]
    count: int = 0


@dataclass
class Lexicon:
    """Vocabulary of one catalog (see the module docstring)."""

    brands: dict[str, Brand] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)
    product_words: dict[str, int] = field(default_factory=dict)
    attributes: dict[str, dict[str, int]] = field(default_factory=dict)
    attribute_synonyms: dict[str, list[list[str]]] = field(default_factory=dict)
    #: word -> number of product titles containing it (jieba words), for spelling correction
    terms: dict[str, int] = field(default_factory=dict)
    #: Latin word (letters only) -> number of product titles containing it (evidence for Latin brand aliases)
    latin_terms: dict[str, int] = field(default_factory=dict)
    #: Chinese string (2-4 characters) -> number of past queries containing it (``analysis.query_log``)
    query_terms: dict[str, int] = field(default_factory=dict)
    _alias_index: dict[str, str] = field(default_factory=dict, repr=False)

    # ---------------------------------------------------------------- build
    @classmethod
    def build(
        cls,
        products: Iterable[Product],
        brand_entries: Iterable[BrandEntry] = (),
        product_words: Iterable[str] = (),
        attribute_synonyms: dict[str, list[tuple[str, ...]]] | None = None,
    ) -> Lexicon:
        """Build the vocabulary from the catalog and the dictionaries.

        Brands are grouped by alias: a dictionary entry defines a group, a
        catalog brand written ``English/中文`` defines one too, and a catalog
        brand whose whole name is an alias of exactly one group joins it.
        """
        lex = cls()
        for entry in brand_entries:
            lex._add_brand(entry.canonical, list(entry.aliases))
        brand_counts: Counter[str] = Counter()
        categories: Counter[str] = Counter()
        attributes: dict[str, Counter[str]] = {}
        for product in products:
            if product.brand:
                brand_counts[product.brand] += 1
            if product.category:
                for prefix in category_prefixes(product.category):
                    categories[prefix] += 1
            for name, value in product.attributes.items():
                attributes.setdefault(name, Counter())[normalize(value)] += 1
        # multi-alias catalog brands first, so single names can join them
        for name in sorted(brand_counts, key=lambda b: (-len(split_brand(b)), b)):
            key = lex.add_catalog_brand(name)
            if key is not None:
                lex.brands[key].count += brand_counts[name]
        lex.categories = dict(categories)
        lex.attributes = {k: dict(v) for k, v in attributes.items()}
        lex.product_words = {w: 0 for w in product_words}
        lex.attribute_synonyms = {k: [list(g) for g in v] for k, v in (attribute_synonyms or {}).items()}
        return lex

    def _add_brand(self, name: str, aliases: list[str]) -> str:
        key = normalize(name)
        brand = self.brands.get(key)
        if brand is None:
            brand = self.brands[key] = Brand(key=key, name=name, aliases=[])
        for alias in aliases:
            if alias and alias not in brand.aliases:
                brand.aliases.append(alias)
            owner = self._alias_index.get(alias)
            if owner is None:
                self._alias_index[alias] = key
            elif owner != key:
                self._alias_index[alias] = ""  # ambiguous: resolves to nothing
        return key

    def add_catalog_brand(self, name: str) -> str | None:
        """Attach a catalog brand string to its group (creating one if needed); return the group key."""
        aliases = split_brand(name)
        if not aliases:
            return None
        owners = {k for k in (self._alias_index.get(a) for a in aliases) if k}
        if len(owners) == 1:
            key = owners.pop()
            self._add_brand(self.brands[key].name, aliases)
            return key
        return self._add_brand(name, aliases)

    # ---------------------------------------------------------------- lookups
    def resolve_brand(self, text: str) -> str | None:
        """The brand key an alias (any spelling, case or width) refers to, or None."""
        key = self._alias_index.get(normalize(text))
        return key or None

    def brand_key(self, brand_field: str | None) -> str | None:
        """The brand key of a product's brand field."""
        if not brand_field:
            return None
        for alias in split_brand(brand_field):
            key = self._alias_index.get(alias)
            if key:
                return key
        return normalize(brand_field) or None

    def aliases(self) -> dict[str, str]:
        """Every unambiguous alias -> brand key."""
        return {a: k for a, k in self._alias_index.items() if k}

    def user_words(self) -> list[str]:
        """Words the segmenter must keep whole: brand aliases, product words, attribute values."""
        words: dict[str, None] = {}
        for brand in self.brands.values():
            for alias in brand.aliases:
                if "/" not in alias:
                    words[alias] = None
        for word in self.product_words:
            words[word] = None
        for groups in self.attribute_synonyms.values():
            for group in groups:
                for value in group:
                    words[value] = None
        for path in self.categories:
            words[path.rsplit("/", 1)[-1]] = None
        return [w for w in words if 1 < len(w) <= 20 and " " not in w]

    # ---------------------------------------------------------------- io
    def to_dict(self) -> dict:
        """A JSON-serialisable form."""
        return {
            "brands": [asdict(b) for b in self.brands.values()],
            "categories": self.categories,
            "product_words": self.product_words,
            "attributes": self.attributes,
            "attribute_synonyms": self.attribute_synonyms,
            "terms": self.terms,
            "latin_terms": self.latin_terms,
            "query_terms": self.query_terms,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Lexicon:
        """Inverse of :meth:`to_dict`."""
        lex = cls()
        for item in data.get("brands", []):
            key = lex._add_brand(item["name"], list(item["aliases"]))
            lex.brands[key].count = int(item.get("count", 0))
        lex.categories = dict(data.get("categories", {}))
        lex.product_words = dict(data.get("product_words", {}))
        lex.attributes = {k: dict(v) for k, v in data.get("attributes", {}).items()}
        lex.attribute_synonyms = {k: [list(g) for g in v] for k, v in data.get("attribute_synonyms", {}).items()}
        lex.terms = dict(data.get("terms", {}))
        lex.latin_terms = dict(data.get("latin_terms", {}))
        lex.query_terms = dict(data.get("query_terms", {}))
        return lex

    def count_latin(self, titles: Iterable[str]) -> None:
        """Set :attr:`latin_terms` from product titles (normalised here)."""
        counts: Counter[str] = Counter()
        for title in titles:
            counts.update(set(_LATIN_WORD.findall(normalize(title or ""))))
        self.latin_terms = dict(counts)

    def save(self, path: Path) -> None:
        """Write the lexicon as JSON."""
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        """Read a lexicon written by :meth:`save`."""
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))


def category_prefixes(category: str) -> list[str]:
    """``美妆护肤/面部护理/面霜`` -> ``[美妆护肤, 美妆护肤/面部护理, 美妆护肤/面部护理/面霜]`` (normalised)."""
    parts = [p.strip() for p in normalize(category).replace(">", "/").split("/") if p.strip()]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]
