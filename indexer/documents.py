"""Turning a product into what the index stores: payload, lexical term bags and the text to embed.

The build keeps only the compact :class:`Analyzed` form of every product between its
passes (term bags and lengths, for corpus statistics); payloads and the text to embed
are made again, chunk by chunk, when the points are written. That keeps the memory of
a million-product build to a few GB.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from search.config import IndexConfig
from search.product import Product
from search.retrieve.bm25 import FieldStats, SparseVector, TermBag, bag_vector, pack
from search.store.base import StoredPoint, attr_key
from search.text.analyzer import ChineseAnalyzer
from search.text.lexicon import Lexicon, category_prefixes
from search.text.normalize import normalize

_LIST_SPLIT = re.compile(r"[,，、;；|]")


@dataclass(frozen=True, slots=True)
class Analyzed:
    """The lexical side of one product: hashed term bags and (weighted) lengths per field."""

    bags: dict[str, TermBag]
    lengths: dict[str, float]


class DocumentBuilder:
    """Builds :class:`Document` objects with one analyzer, lexicon and index config."""

    def __init__(self, analyzer: ChineseAnalyzer, lexicon: Lexicon, config: IndexConfig) -> None:
        self.analyzer = analyzer
        self.lexicon = lexicon
        self.config = config
        self._synonyms = self._synonym_map(lexicon)

    @staticmethod
    def _synonym_map(lexicon: Lexicon) -> dict[str, str]:
        out: dict[str, str] = {}
        for groups in lexicon.attribute_synonyms.values():
            for group in groups:
                for value in group[1:]:
                    out.setdefault(value, group[0])
        return out

    def attr_keys(self, attributes: dict[str, str]) -> list[str]:
        """Keywords for attribute filters: ``name=value`` and name-agnostic ``=value``, with canonical synonyms."""
        keys: dict[str, None] = {}
        for name, raw in attributes.items():
            n = normalize(name)
            for value in _LIST_SPLIT.split(normalize(raw)):
                value = value.strip()
                if not value or len(value) > 40:
                    continue
                for v in dict.fromkeys((value, self._synonyms.get(value, value))):
                    keys[attr_key(n, v)] = None
                    keys[attr_key("", v)] = None
        return list(keys)

    def payload(self, product: Product) -> dict:
        """The stored payload of a product."""
        brand_key = self.lexicon.brand_key(product.brand)
        brand_keys: list[str] = []
        if brand_key:
            brand = self.lexicon.brands.get(brand_key)
            brand_keys = [brand_key, *(brand.aliases if brand else [])]
        return {
            "id": product.id,
            "title": product.title,
            "brand": product.brand,
            "brand_key": brand_key,
            "brand_keys": list(dict.fromkeys(brand_keys)),
            "category": product.category,
            "category_path": category_prefixes(product.category) if product.category else [],
            "attributes": dict(product.attributes),
            "attr_keys": self.attr_keys(product.attributes),
            "price": product.price,
            "sales": product.sales,
            "hash": product.content_hash(),
        }

    def _source_texts(self, product: Product) -> dict[str, str]:
        brand_text = ""
        brand_key = self.lexicon.brand_key(product.brand)
        if brand_key:
            brand = self.lexicon.brands.get(brand_key)
            aliases = brand.aliases if brand else [brand_key]
            brand_text = " ".join(a for a in aliases if "/" not in a)
        paths = category_prefixes(product.category) if product.category else []
        category_text = " ".join(p.rsplit("/", 1)[-1] for p in paths)
        return {
            "title": product.title,
            "brand": brand_text,
            "category": category_text,
            "attributes": " ".join(product.attributes.values()),
        }

    def dense_text(self, product: Product) -> str:
        """The passage embedded for a product (``dense.text`` template)."""
        text = self.config.dense.text.format(
            title=product.title,
            brand=product.brand or "",
            category=(product.category or "").rsplit("/", 1)[-1],
            attributes=" ".join(product.attributes.values()),
        )
        text = " ".join(text.split())
        return self.analyzer.normalize(text) if self.config.dense.normalize else text

    def analyze(self, product: Product) -> tuple[Analyzed, tuple[str, ...]]:
        """Analyse one product: its term bags and lengths, and its title's words (for the lexicon)."""
        weights = self.config.lexical.sources.model_dump()
        fields = self.config.lexical.fields
        bags: dict[str, Counter[str]] = {name: Counter() for name in fields}
        lengths = {name: 0.0 for name in fields}
        title_words: tuple[str, ...] = ()
        for source, text in self._source_texts(product).items():
            weight = weights[source]
            if weight <= 0 or not text:
                continue
            analysis = self.analyzer.analyze(text)
            if source == "title":
                title_words = tuple(analysis.words)
            for name, field_config in fields.items():
                tokens = analysis.tokens(field_config.features)
                for token in tokens:
                    bags[name][token] += weight
                lengths[name] += weight * len(tokens)
        packed = {name: pack(bag) for name, bag in bags.items()}
        return Analyzed(packed, lengths), title_words


def field_stats(analyzed: list[Analyzed], field: str) -> FieldStats:
    """Corpus statistics of one lexical field."""
    total = float(sum(a.lengths[field] for a in analyzed))
    vocabulary: set[int] = set()
    for start in range(0, len(analyzed), 65536):  # bounded temporary memory
        chunk = [a.bags[field].ids for a in analyzed[start : start + 65536]]
        if chunk:
            vocabulary.update(np.unique(np.concatenate(chunk)).tolist())
    return FieldStats(n_docs=len(analyzed), total_length=total, vocabulary=len(vocabulary))


def sparse_vectors(analyzed: Analyzed, config: IndexConfig, stats: dict[str, FieldStats]) -> dict[str, SparseVector]:
    """The BM25 document vectors of one product, given corpus statistics."""
    out = {}
    for name, cfg in config.lexical.fields.items():
        out[name] = bag_vector(analyzed.bags[name], analyzed.lengths[name], stats[name].avgdl, cfg.k1, cfg.b)
    return out


def stored_point(
    product_id: str, payload: dict, analyzed: Analyzed, config: IndexConfig, stats: dict[str, FieldStats], dense
) -> StoredPoint:
    """The point written to the store."""
    return StoredPoint(product_id, payload, dense, sparse_vectors(analyzed, config, stats))
