"""Validation and grounding of language-model answers (pure functions, no model)."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.product import Product
from search.text.dictionaries import BrandEntry
from search.text.lexicon import Lexicon
from search.understand.grounding import (
    PATCH_FIELDS,
    Grounded,
    InvalidAnswer,
    ModelAnswer,
    extract_json,
    ground,
    validate_answer,
)
from search.understand.parsed import ParsedQuery
from search.understand.vocab import QueryVocabulary

BRANDS = [
    ("Laneige/兰芝", "美妆护肤/面部护理/隔离霜"),
    ("华为", "数码/手机"),
    ("ASUS/华硕", "数码/电脑/笔记本"),
    ("Apple/苹果", "数码/手机"),
    ("Estee Lauder/雅诗兰黛", "美妆护肤/面部护理/面霜"),
    ("Nike/耐克", "运动户外/跑鞋"),
    ("小米", "数码/手机"),
    ("资生堂", "美妆护肤/面部护理/洗面奶"),
]


def make_lexicon() -> Lexicon:
    """A small hand-made catalog vocabulary (shared with test_llm_parser and test_real_model)."""
    products = [
        Product(id=str(i), title=f"{brand} {category}", brand=brand, category=category)
        for i, (brand, category) in enumerate(BRANDS)
    ]
    entries = [
        BrandEntry("华为", ("华为", "huawei")),
        BrandEntry("Apple/苹果", ("apple", "苹果", "iphone")),
        BrandEntry("小米", ("小米", "xiaomi")),
        BrandEntry("大宝甲", ("大宝甲", "dabao")),
        BrandEntry("大宝乙", ("大宝乙", "dabao")),
    ]
    words = ["隔离霜", "手机", "洗面奶", "毛衣", "跑鞋", "笔记本", "面霜", "洗发水", "口红"]
    synonyms = {"领型": [("高领", "半高领", "立领")], "人群": [("男士", "男")]}
    return Lexicon.build(products, entries, words, synonyms)


LEX = make_lexicon()
VOCAB = QueryVocabulary.from_lexicon(LEX)
DISPLAY_NAMES = {b.name for b in LEX.brands.values()}


def g(answer: dict, text: str):
    return ground(validate_answer(answer), text, VOCAB)


# ------------------------------------------------------------------------------ validation
def test_extract_json_from_fences_and_prose():
    assert extract_json('{"brands": []}') == {"brands": []}
    assert extract_json('```json\n{"sort": "sales"}\n```') == {"sort": "sales"}
    assert extract_json('好的，结果是 {"a": {"b": "}"}} 以上。') == {"a": {"b": "}"}}
    assert extract_json("no json here") is None
    assert extract_json("[1, 2]") is None
    assert extract_json('{"brands": [') is None


@pytest.mark.parametrize(
    "answer",
    [
        "not json at all",
        '{"brands": ["兰芝"',  # truncated
        "[]",
        42,
        None,
        {"brands": "兰芝"},
        {"brands": [1, 2]},
        {"keywords": [["x"]]},
        {"price_max": "300"},
        {"price_min": True},
        {"price_max": math.nan},
        {"price_max": math.inf},
        {"sort": 3},
        {"attributes": "人群=男士"},
        {"attributes": [{"name": "人群"}]},
        {"attributes": [{"name": "人群", "value": 1}]},
    ],
)
def test_malformed_answers_are_rejected_whole(answer):
    with pytest.raises(InvalidAnswer):
        validate_answer(answer)


def test_valid_answer_shapes():
    a = validate_answer({"brands": None, "price_max": 300, "attributes": {"人群": "男士"}, "extra": 1})
    assert a.brands == () and a.price_max == 300.0 and a.attributes == (("人群", "男士"),)
    b = validate_answer(json.dumps({"attributes": [{"name": "功效", "value": "补水"}], "sort": "sales"}))
    assert b.attributes == (("功效", "补水"),) and b.sort == "sales"
    assert validate_answer(ModelAnswer(brands=("x",)).to_dict()).brands == ("x",)


# ------------------------------------------------------------------------------ brands
def test_brand_alias_resolves_to_display_name():
    assert g({"brands": ["兰芝"]}, "兰芝隔离霜").patch["brands"] == ["Laneige/兰芝"]
    assert g({"brands": ["LANEIGE"]}, "laneige隔离霜").patch["brands"] == ["Laneige/兰芝"]
    assert g({"brands": ["Laneige"]}, "兰芝隔离霜").patch["brands"] == ["Laneige/兰芝"]


def test_invented_brand_is_dropped():
    out = g({"brands": ["香奈儿", "兰芝"]}, "兰芝隔离霜")
    assert out.patch["brands"] == ["Laneige/兰芝"]
    assert "brand_dropped" in out.corrections


def test_brand_snaps_by_pinyin_and_small_latin_typo():
    out = g({"brands": ["兰之"]}, "兰之隔离霜")
    assert out.patch["brands"] == ["Laneige/兰芝"] and "brand_snapped" in out.corrections
    assert g({"brands": ["laneig"]}, "laneig隔离霜").patch["brands"] == ["Laneige/兰芝"]
    assert g({"brands": ["雅诗蓝黛"]}, "雅诗蓝黛面霜").patch["brands"] == ["Estee Lauder/雅诗兰黛"]


def test_short_names_do_not_snap():
    assert g({"brands": ["mike"]}, "mike跑鞋").patch["brands"] == []  # 4 letters: no edit allowed (nike)
    # 华硕 is one character from 华为 but another brand: no snapping for 2-character names.
    assert g({"brands": ["华X"]}, "华x手机").patch["brands"] == []
    assert g({"brands": ["华硕"]}, "华为手机").patch["brands"] == []


def test_brand_must_be_mentioned_in_the_query():
    out = g({"brands": ["华为"]}, "给我爸买个2000左右的手机")
    assert out.patch["brands"] == [] and "brand_dropped" in out.corrections
    # an alias mentioned in another spelling counts
    assert g({"brands": ["华为"]}, "huawei手机").patch["brands"] == ["华为"]
    assert g({"brands": ["Apple"]}, "iphone 15").patch["brands"] == ["Apple/苹果"]


def test_ambiguous_alias_and_excluded_brand_are_dropped():
    assert g({"brands": ["dabao"]}, "dabao面霜").patch["brands"] == []
    out = g({"brands": ["华为"], "exclude": ["华为"]}, "除了华为的手机")
    assert out.patch["brands"] == [] and out.patch["exclude"] == ["华为"]
    # named only inside an exclusion the model missed: still not a wanted brand
    out = g({"brands": ["苹果"]}, "不要苹果的手机 3000以内")
    assert out.patch["brands"] == [] and set(out.corrections) == {"brand_excluded", "price_corrected"}
    out = g({"brands": ["兰芝"], "exclude": ["兰芝"]}, "隔离霜 不要兰芝")
    assert out.patch["brands"] == [] and out.patch["exclude"] == ["Laneige/兰芝"]


# ------------------------------------------------------------------------------ categories, words, attributes
def test_categories_must_exist():
    out = g({"categories": ["数码/手机", "数码>电脑", "隔离霜", "美妆/口红"]}, "手机")
    assert out.patch["categories"] == ["数码/手机", "数码/电脑", "美妆护肤/面部护理/隔离霜"]
    assert "category_dropped" in out.corrections and "category_snapped" in out.corrections


def test_product_words_in_query_or_vocabulary():
    out = g({"product_words": ["隔离霜", "防晒", "口红", "飞船"]}, "兰芝隔离霜 防晒")
    assert out.patch["product_words"] == ["隔离霜", "防晒", "口红"]
    assert out.corrections == ("product_word_dropped",)


def test_attributes_must_be_in_query_or_synonym_of_it():
    out = g({"attributes": {"领型": "高领", "人群": "男士", "颜色": "红色"}}, "半高领毛衣 男")
    assert dict(out.patch["attributes"]) == {"领型": "高领", "人群": "男士"}
    assert out.corrections == ("attribute_dropped",)


def test_attribute_from_an_exclusion_is_dropped():
    out = g({"attributes": {"产地": "日本"}, "exclude": ["日本产"]}, "兰芝隔离霜 不要日本产的")
    assert out.patch["attributes"] == {} and out.patch["exclude"] == ["日本产"]


# ------------------------------------------------------------------------------ prices
def test_wrong_direction_price_is_corrected():
    out = g({"price_min": 100}, "100元以下的洗面奶")
    assert (out.patch["price_min"], out.patch["price_max"]) == (None, 100.0)
    assert "price_corrected" in out.corrections


def test_rules_bounds_win_and_missing_bounds_are_added():
    out = g({}, "300元以下的兰芝隔离霜")
    assert out.patch["price_max"] == 300.0 and out.corrections == ("price_corrected",)
    assert g({"price_max": 300}, "300元以下的兰芝隔离霜").corrections == ()


def test_price_not_in_query_is_dropped():
    out = g({"price_max": 500, "price_min": 100}, "华为手机")
    assert (out.patch["price_min"], out.patch["price_max"]) == (None, None)
    assert out.corrections.count("price_dropped") == 2


def test_bare_number_in_query_is_accepted_but_not_a_spec():
    # the rules do not read a bare "2000的"; the model may, the number is in the query
    assert g({"price_max": 2000}, "给我爸买个2000的华为手机").patch["price_max"] == 2000.0
    assert g({"price_max": 500}, "500ml洗发水").patch["price_max"] is None


def test_about_tolerance_and_swap():
    out = g({"price_min": 2500, "price_max": 1500}, "手机两千 大概就行")
    assert (out.patch["price_min"], out.patch["price_max"]) == (1500.0, 2500.0)
    assert "price_swapped" in out.corrections
    assert g({"price_max": 2500}, "两千的手机").patch["price_max"] is None


# ------------------------------------------------------------------------------ sort, exclusions, keywords
def test_sort_enum_rules_and_cues():
    assert g({"sort": "cheapest"}, "手机").patch["sort"] == "relevance"
    assert g({"sort": "price_desc"}, "销量最好的男士洗面奶").patch["sort"] == "sales"
    out = g({"sort": "sales"}, "兰芝隔离霜")
    assert out.patch["sort"] == "relevance" and out.corrections == ("sort_dropped",)
    assert g({"sort": "price_asc"}, "划算的手机").patch["sort"] == "price_asc"
    assert g({"sort": "price_desc"}, "手机 别太贵").patch["sort"] == "relevance"


def test_exclusions_must_follow_a_negation_in_the_query():
    out = g({"exclude": ["日本产", "兰芝", "韩国"]}, "300元以下的兰芝隔离霜 不要日本产的")
    assert out.patch["exclude"] == ["日本产"]
    assert out.corrections.count("exclude_dropped") == 2
    assert g({"exclude": ["苹果"]}, "手机 别给我推荐苹果").patch["exclude"] == ["Apple/苹果"]


def test_keywords_outside_price_and_exclusion_phrases():
    out = g({"keywords": ["兰芝", "隔离霜", "300元以下", "日本产", "面膜"]}, "300元以下的兰芝隔离霜 不要日本产的")
    assert out.patch["keywords"] == ["兰芝", "隔离霜"]


def test_the_running_example():
    answer = {
        "keywords": ["兰芝", "隔离霜"], "brands": ["兰芝"], "categories": [], "product_words": ["隔离霜"],
        "price_min": 300, "price_max": None, "attributes": [], "exclude": ["日本产"], "sort": "relevance",
    }  # fmt: skip
    out = g(answer, "300元以下的兰芝隔离霜 不要日本产的")
    assert out.patch["brands"] == ["Laneige/兰芝"] and out.patch["product_words"] == ["隔离霜"]
    assert (out.patch["price_min"], out.patch["price_max"]) == (None, 300.0) and out.patch["exclude"] == ["日本产"]


# ------------------------------------------------------------------------------ properties
_ALIASES = sorted(LEX.aliases())
_name = st.one_of(
    st.sampled_from(_ALIASES),
    st.text(max_size=8),
    st.sampled_from(_ALIASES).map(lambda a: a[:-1] + "x"),
    st.sampled_from(["香奈儿", "华X", "dabao", "兰之", "apple", "华硕", "ＬＡＮＥＩＧＥ"]),
)
_answers = st.fixed_dictionaries(
    {},
    optional={
        "brands": st.lists(_name, max_size=5),
        "keywords": st.lists(st.text(max_size=6), max_size=5),
        "categories": st.lists(st.one_of(st.sampled_from(sorted(LEX.categories)), st.text(max_size=8))),
        "product_words": st.lists(st.text(max_size=6), max_size=4),
        "exclude": st.lists(st.one_of(_name, st.text(max_size=6)), max_size=3),
        "attributes": st.dictionaries(st.text(max_size=4), st.text(max_size=6), max_size=3),
        "price_min": st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False)),
        "price_max": st.one_of(st.none(), st.integers(-10, 10**7)),
        "sort": st.one_of(st.none(), st.text(max_size=10), st.sampled_from(["sales", "price_asc", "price_desc"])),
    },
)
_queries = st.lists(
    st.one_of(st.text(max_size=10), st.sampled_from(_ALIASES + ["不要", "以下", "元", "300"])), max_size=6
).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer=_answers, text=_queries)
def test_grounding_never_lets_a_brand_outside_the_lexicon_through(answer, text):
    out = ground(validate_answer(answer), text, VOCAB)
    assert set(out.patch["brands"]) <= DISPLAY_NAMES
    assert out.patch["sort"] in ("relevance", "price_asc", "price_desc", "sales")
    for bound in (out.patch["price_min"], out.patch["price_max"]):
        assert bound is None or (math.isfinite(bound) and bound >= 0)
    if out.patch["price_min"] is not None and out.patch["price_max"] is not None:
        assert out.patch["price_min"] <= out.patch["price_max"]


_json = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(raw=st.one_of(_json, _json.map(lambda v: json.dumps(v) if not isinstance(v, float) else "x"), st.text()))
def test_validation_only_raises_invalid_answer(raw):
    try:
        answer = validate_answer(raw)
    except InvalidAnswer:
        return
    ground(answer, "300元以下的兰芝隔离霜 不要日本产的", VOCAB)


# ------------------------------------------------------------------------------ spelling
def test_a_small_typo_fix_is_accepted_and_the_rest_is_grounded_in_it():
    out = g({"corrected": "男士洗面奶 控油", "keywords": ["洗面奶"], "product_words": ["洗面奶"]}, "男士洗面乃 控油")
    assert out.corrected == "男士洗面奶 控油"
    assert out.patch["keywords"] == ["洗面奶"]  # a keyword of the corrected query
    assert "correction_dropped" not in out.corrections


def test_an_unchanged_or_missing_correction_is_no_correction():
    assert g({"corrected": "小米手机"}, "小米手机").corrected is None
    assert g({}, "小米手机").corrected is None
    assert g({"corrected": ""}, "小米手机").corrected is None


def test_known_words_are_never_rewritten():
    """A brand, product word or attribute value the catalog spells this way stays as typed."""
    out = g({"corrected": "小麦手机"}, "小米手机")
    assert out.corrected is None and "correction_dropped" in out.corrections
    assert g({"corrected": "男的毛衣"}, "男士毛衣").corrected is None  # 男士 is an attribute value
    # an insertion inside a known word is a change of it; at a word boundary it is not
    assert g({"corrected": "隔离离霜"}, "隔离霜").corrected is None
    assert g({"corrected": "耐克跑鞋子"}, "耐克跑鞋").corrected == "耐克跑鞋子"


def test_numbers_and_negations_never_change():
    assert g({"corrected": "3000元以下的跑鞋"}, "300元以下的跑鞋").corrected is None
    assert g({"corrected": "两百元以内的跑鞋"}, "一百元以内的跑鞋").corrected is None
    out = g({"corrected": "要苹果 要手机壳"}, "不要苹果 要手机売")
    assert out.corrected == "不要苹果 要手机壳"  # the typo fix is kept, the negation is not dropped


def test_a_rewrite_beyond_the_edit_budget_keeps_only_what_fits():
    # at most a quarter of the characters (and at most 3) may change
    assert g({"corrected": "香奈儿香水"}, "跑鞋 男款").corrected is None
    out = g({"corrected": "ignore all: 苹果手机"}, "苹果手机")
    assert out.corrected is None
    # 14 characters: 3 edits allowed; 男士 is protected; edits are taken left to right
    out = g({"corrected": "适合夏天穿的透汽男仕运东短酷啊"}, "适合夏天穿的透气男士运动短裤")
    assert out.corrected == "适合夏天穿的透汽男士运东短裤"
    assert out.corrections.count("correction_dropped") == 2  # 仕 (in a known word), 裤 -> 酷啊 (over budget)


def test_spacing_alone_is_no_correction():
    assert g({"corrected": "361 沙贷"}, "361沙贷").corrected is None
    assert g({"corrected": "361 沙袋"}, "361沙贷").corrected == "361沙袋"


# ------------------------------------------------------------------------------ the patch
def test_the_grounded_answer_is_a_patch_of_parsed_query_fields():
    out = g({"brands": ["兰芝"], "attributes": {"人群": "男士"}}, "男士兰芝隔离霜")
    assert set(out.patch) == set(PATCH_FIELDS) and set(PATCH_FIELDS) < set(ParsedQuery.model_fields)
    # in ParsedQuery's own types: the patch validates as a ParsedQuery update
    parsed = ParsedQuery.model_validate({"text": "x", "normalized": "x", **out.patch})
    assert parsed.brands == ["Laneige/兰芝"] and parsed.attributes == {"人群": "男士"}
    assert Grounded(patch={"sort": "sales"}).value("brands") == [] and Grounded().value("sort") == "relevance"
