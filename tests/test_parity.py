"""Input-normalisation parity: a Traditional / full-width query and its Simplified / half-width twin
are the same query on every path (normalisation, lexical analysis, parsing, the dense encoder's
text, the ranked results)."""

from __future__ import annotations

import csv
import functools
from dataclasses import replace
from typing import Any

import pytest

from search.text.normalize import normalize
from tests.conftest import SAMPLE

TWINS = [
    ("ＳＫＩＩ 神仙水", "SK-II 神仙水"),
    ("sk2神仙水", "SK-II神仙水"),
    ("SK-Ⅱ 神仙水", "skii 神仙水"),
    ("護手霜 禮盒", "护手霜 礼盒"),
    ("藍牙音箱", "蓝牙音箱"),
    ("蘭芝隔離霜", "兰芝隔离霜"),
    ("３００元以下的面霜", "300元以下的面霜"),
    ("ｉＰｈｏｎｅ　１５", "iphone 15"),
]
_FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in map(chr, range(0x21, 0x7F))}


@functools.cache
def _to_traditional() -> Any:
    import opencc

    return opencc.OpenCC("s2t")  # loading its dictionaries is the slow part: once per run


def twin(text: str) -> str:
    """Traditional script (OpenCC s2t), full-width ASCII, ideographic spaces."""
    converted = _to_traditional().convert(text)
    return "".join(_FULL_WIDTH.get(c, "\u3000" if c == " " else c) for c in converted)


def sample_queries() -> list[str]:
    with (SAMPLE / "judgments.tsv").open(encoding="utf-8") as f:
        return list(dict.fromkeys(row[1] for row in list(csv.reader(f, delimiter="\t"))[1:]))


@pytest.mark.parametrize(("typed", "plain"), TWINS)
def test_normalisation_makes_twins_one_text(typed: str, plain: str) -> None:
    assert normalize(typed) == normalize(plain)


def test_brand_forms_are_whole_words_only() -> None:
    assert normalize("SKII") == normalize("SK2") == normalize("sk-ii") == "sk-ii"
    assert normalize("ski鞋") == "ski鞋"
    assert normalize("desk2 sk22") == "desk2 sk22"


def test_every_sample_query_and_its_twin_normalise_alike() -> None:
    for query in sample_queries():
        assert normalize(twin(query)) == normalize(query), query


@pytest.mark.parametrize(("typed", "plain"), TWINS)
def test_analysis_and_parse_agree_on_twins(typed: str, plain: str) -> None:
    from tests.understand.test_rules import build_parts

    lexicon, analyzer = build_parts()
    a, b = analyzer.analyze(typed), analyzer.analyze(plain)
    assert a.normalized == b.normalized
    assert a.tokens(["words", "models", "chars"]) == b.tokens(["words", "models", "chars"])
    from search.understand.rules import RuleParser

    parser = RuleParser.with_spelling(lexicon, analyzer)
    x, y = parser.parse(typed), parser.parse(plain)
    assert x.model_copy(update={"text": ""}) == y.model_copy(update={"text": ""})


def test_search_answers_twins_alike(sample_data_dir, configs_dir) -> None:
    """Hybrid search on the sample index: same parse, same dense text, same products in the same order."""
    from search.api.app import build_engine
    from search.config import Settings
    from search.engine import SearchRequest

    engine = build_engine(Settings(data_dir=sample_data_dir, configs_dir=configs_dir))
    try:
        queries = [p for _, p in TWINS] + sample_queries()
        for query in queries:
            base = SearchRequest(q=query, size=10)
            plain = engine.search(base)
            typed = engine.search(replace(base, q=twin(query)))
            assert typed.parsed.search_text == plain.parsed.search_text, query  # what the encoder embeds
            assert typed.parsed.model_copy(update={"text": ""}) == plain.parsed.model_copy(update={"text": ""})
            assert [i["id"] for i in typed.items] == [i["id"] for i in plain.items], query
    finally:
        engine.close()
