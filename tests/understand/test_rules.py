"""RuleParser and dictionary matching on a small hand-made catalog."""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

import pytest

from search.product import Product
from search.text.analyzer import ChineseAnalyzer
from search.text.dictionaries import BrandEntry, split_brand
from search.text.lexicon import Lexicon
from search.understand.matcher import DictionaryMatcher, Entry, fold
from search.understand.parsed import ParsedQuery
from search.understand.rules import FITS, RuleParser
from search.understand.spelling import SpellCorrector
from search.understand.vocab import QueryVocabulary

_TITLES = [
    ("Laneige/兰芝", "美妆护肤/面部护理/隔离霜", "兰芝雪纱丝柔隔离霜 妆前乳 紫色 30ml", {}),
    ("Laneige/兰芝", "美妆护肤/面部护理/隔离霜", "兰芝隔离霜 绿色 修饰肤色 隔离霜", {}),
    ("Laneige/兰芝", "美妆护肤/面部护理/面霜", "laneige兰芝 水库凝肌 保湿面霜 50ml 补水", {"功效": "补水,保湿"}),
    ("L'Oreal/欧莱雅", "美妆护肤/洁面/洗面奶", "欧莱雅男士 控油 洗面奶 100ml", {}),
    ("L'Oreal/欧莱雅", "美妆护肤/洁面/洗面奶", "欧莱雅 氨基酸 洗面奶 女士 补水", {}),
    ("L'Oreal/欧莱雅", "美妆护肤/面部护理/隔离霜", "欧莱雅 隔离霜 妆前 防晒", {}),
    (None, "美妆护肤/洁面/洗面奶", "氨基酸洗面奶 温和 洁面 家用 大瓶", {}),
    (None, "美妆护肤/面部护理/防晒霜", "清爽 防晒霜 spf50 学生 家用", {}),
    ("Huawei/华为", "手机数码/手机", "华为 mate60 pro 手机 12gb+512gb", {}),
    ("Huawei/华为", "手机数码/手机", "huawei 华为 nova 12 手机 5g", {}),
    ("Xiaomi/小米", "手机数码/手机", "小米14 手机 徕卡 骁龙", {}),
    ("Xiaomi/小米", "手机数码/手机配件/手机壳", "小米 原装 手机壳 硅胶", {}),
    ("Apple/苹果", "手机数码/手机", "apple iphone 15 手机 256gb", {}),
    (None, "手机数码/手机配件/手机壳", "适用苹果15 手机壳 透明 防摔 家用", {}),
    ("Midea/美的", "家用电器/冰箱", "美的 双门 小冰箱 家用 节能", {"产地": "中国"}),
    ("Midea/美的", "家用电器/冰箱", "美的 冰箱 三门 风冷", {}),
    (None, "服饰/女装/毛衣", "高领毛衣 女 羊毛 加厚 秋冬", {"材质": "羊毛"}),
    (None, "服饰/女装/毛衣", "毛衣 女 宽松 慵懒风 家用", {"材质": "羊毛"}),
    ("SK-II", "美妆护肤/精华", "sk-ii 神仙水 230ml 精华 补水", {}),
    (None, "美妆护肤/彩妆/口红", "哑光 口红 正红色 学生 平价", {}),
    (None, "美妆护肤/彩妆/口红", "口红 套装 礼盒 女士", {}),
]
_PRODUCT_WORDS = ["隔离霜", "洗面奶", "面霜", "手机", "手机壳", "冰箱", "毛衣", "口红", "防晒霜", "精华", "神仙水"]
_BRAND_ENTRIES = [
    BrandEntry("Laneige/兰芝", ("laneige/兰芝", "laneige", "兰芝", "lanzhi")),
    BrandEntry("L'Oreal/欧莱雅", ("l'oreal/欧莱雅", "l'oreal", "欧莱雅", "loreal")),
    BrandEntry("Apple/苹果", ("apple/苹果", "apple", "苹果", "iphone")),
    BrandEntry("Tom Ford/汤姆福特", ("tom ford/汤姆福特", "tom ford", "汤姆福特", "tf")),
    # a noisy gazetteer: common words listed as brands
    BrandEntry("家用", ("家用",)),
    BrandEntry("mini", ("mini",)),
    BrandEntry("毛衣", ("毛衣",)),
]
_SYNONYMS = {
    "功效": [("补水", "保湿补水", "水润"), ("控油", "去油")],
    "人群": [("男士", "男", "男款"), ("女士", "女", "女款"), ("学生", "学生党")],
}


def _products() -> list[Product]:
    return [
        Product(id=f"t{i}", title=title, brand=brand, category=category, attributes=attrs)
        for i, (brand, category, title, attrs) in enumerate(_TITLES)
    ]


@lru_cache(maxsize=1)
def build_parts() -> tuple[Lexicon, ChineseAnalyzer]:
    """The lexicon and analyzer of the hand-made catalog (as the indexer would build them)."""
    products = _products()
    lexicon = Lexicon.build(products, _BRAND_ENTRIES, _PRODUCT_WORDS, _SYNONYMS)
    analyzer = ChineseAnalyzer(lexicon.user_words(), ["的", "了"])
    terms: Counter[str] = Counter()
    for product in products:
        terms.update(set(analyzer.analyze(product.title).words))
    lexicon.terms = dict(terms)
    return lexicon, analyzer


@lru_cache(maxsize=1)
def make_parser() -> RuleParser:
    """A RuleParser with spelling correction over the hand-made catalog."""
    lexicon, analyzer = build_parts()
    return RuleParser(lexicon, analyzer, spelling=SpellCorrector.from_lexicon(lexicon, analyzer))


@pytest.fixture(scope="module")
def parser() -> RuleParser:
    return make_parser()


# ---------------------------------------------------------------------------------- matcher
def test_fold_ignores_case_space_accents_and_joiners() -> None:
    assert fold("l'oréal") == fold("l oreal") == fold("loreal") == "loreal"
    assert fold("sk-ii") == fold("sk ii") == "skii"


def test_matcher_finds_every_spelling_of_a_brand() -> None:
    m = DictionaryMatcher()
    m.add("l'oreal", Entry("brand", "loreal"))
    m.add("laneige", Entry("brand", "laneige"))
    for text in ("l oreal 面霜", "l'oréal面霜", "loreal", "买laneige"):
        found = m.find_all(text)
        assert [x.entries[0].value for x in found], text
    match = m.find_all("xx l oreal yy")[0]
    assert (match.start, match.end) == (3, 10)


def test_matcher_latin_word_boundaries() -> None:
    m = DictionaryMatcher()
    m.add("lg", Entry("brand", "lg"))
    m.add("3m", Entry("brand", "3m"))
    m.add("vivo", Entry("brand", "vivo"))
    assert not m.find_all("algae")
    assert not m.find_all("1.3m长")
    assert m.find_all("lg显示器")
    assert m.find_all("vivo16s手机")  # digits may follow a name that ends in a letter
    assert not m.find_all("vivox")
    m.add("oppo", Entry("brand", "oppo"))
    assert m.find_all("oppoa59s手机")  # so may a model number: one or two letters and a digit
    assert m.find_all("vivox7plus")
    assert not m.find_all("oppoabc")
    assert not m.find_all("vivoxyz9")


def test_matcher_reports_nested_matches() -> None:
    m = DictionaryMatcher()
    m.add("隔离", Entry("product", "隔离"))
    m.add("隔离霜", Entry("product", "隔离霜"))
    keys = sorted(x.key for x in m.find_all("兰芝隔离霜"))
    assert keys == ["隔离", "隔离霜"]


# ---------------------------------------------------------------------------------- vocabulary
def test_vocabulary_drops_noisy_gazetteer_brands() -> None:
    lexicon, _ = build_parts()
    vocab = QueryVocabulary.from_lexicon(lexicon)
    kinds = {e.kind for e in vocab.matcher.entries("家用")}
    assert "brand" not in kinds  # a common catalog word that no product has as its brand
    assert not vocab.matcher.entries("mini")  # a lone Latin word in a gazetteer
    assert {e.kind for e in vocab.matcher.entries("毛衣")} == {"product"}
    assert not vocab.matcher.entries("tf")  # 2-letter alias of a brand without products
    assert [e.kind for e in vocab.matcher.entries("汤姆福特")] == ["brand"]


def test_common_latin_words_of_titles_are_not_brands() -> None:
    products = [Product(id="s1", title="switch 游戏机", brand="Switch")]
    products += [Product(id=f"h{i}", title=f"hdmi switch 切换器 {i}") for i in range(8)]
    lexicon = Lexicon.build(products)
    assert [e.kind for e in QueryVocabulary.from_lexicon(lexicon).matcher.entries("switch")] == ["brand"]
    lexicon.count_latin(p.title for p in products)
    assert lexicon.latin_terms["switch"] == 9 and lexicon.latin_terms["hdmi"] == 8
    # one product has the brand, nine titles have the word: a common word, not the brand
    assert not QueryVocabulary.from_lexicon(lexicon).matcher.entries("switch")
    assert Lexicon.from_dict(lexicon.to_dict()).latin_terms == lexicon.latin_terms


def test_vocabulary_maps_product_words_to_categories() -> None:
    lexicon, _ = build_parts()
    vocab = QueryVocabulary.from_lexicon(lexicon)
    assert vocab.categories["隔离霜"] == ("美妆护肤/面部护理/隔离霜",)
    assert "手机数码/手机" in vocab.categories["手机"]
    assert all(p in lexicon.categories for ps in vocab.categories.values() for p in ps)


# ---------------------------------------------------------------------------------- parse
def test_parse_brand_product_price(parser: RuleParser) -> None:
    q = parser.parse("我想买300元以下的兰芝隔离霜")
    assert isinstance(q, ParsedQuery)
    assert q.parser == "rules"
    assert q.brands == ["Laneige/兰芝"]
    assert q.product_words == ["隔离霜"]
    assert q.categories == ["美妆护肤/面部护理/隔离霜"]
    assert q.price_max == 300 and q.price_min is None
    assert q.keywords == ["兰芝", "隔离霜"]
    assert q.confidence >= 0.9


@pytest.mark.parametrize(
    "text", ["LANEIGE 隔离霜", "Ｌａｎｅｉｇｅ隔离霜", "la neige 隔离霜", "蘭芝隔離霜", "lanzhi隔离霜"]
)
def test_brand_aliases_any_spelling(parser: RuleParser, text: str) -> None:
    assert parser.parse(text).brands == ["Laneige/兰芝"]


def test_brand_accents_and_apostrophes(parser: RuleParser) -> None:
    for text in ("L'Oréal 洗面奶", "l oreal 洗面奶", "LOREAL洗面奶"):
        q = parser.parse(text)
        assert q.brands == ["L'Oreal/欧莱雅"], text
        assert q.product_words == ["洗面奶"], text


def test_exclusion_of_a_brand_uses_its_display_name(parser: RuleParser) -> None:
    q = parser.parse("手机 不要华为的")
    assert q.exclude == ["Huawei/华为"]
    assert q.brands == []
    assert "华为" not in q.keywords
    assert q.product_words == ["手机"]


def test_exclusion_of_a_phrase(parser: RuleParser) -> None:
    q = parser.parse("冰箱 不要日本产的")
    assert q.exclude == ["日本产"]
    assert q.keywords == ["冰箱"]


def test_sort_and_soft_price_lower_confidence(parser: RuleParser) -> None:
    strong = parser.parse("口红 价格从低到高")
    soft = parser.parse("便宜点的口红")
    assert strong.sort == soft.sort == "price_asc"
    assert soft.keywords == ["口红"] and strong.keywords == ["口红"]
    assert soft.confidence < strong.confidence


def test_attributes_from_synonyms_catalog_and_specs(parser: RuleParser) -> None:
    q = parser.parse("男士控油洗面奶 100ml")
    assert q.attributes == {"人群": "男士", "功效": "控油", "规格": "100ml"}
    assert q.keywords == ["男士", "控油", "洗面奶", "100ml"]
    assert parser.parse("水润面霜").attributes["功效"] == "补水"  # canonical = first of the group
    assert parser.parse("羊毛毛衣").attributes.get("材质") == "羊毛"  # a catalog attribute value
    assert parser.parse("5斤装").attributes == {"规格": "5斤"}


def test_one_character_values_need_a_word_boundary(parser: RuleParser) -> None:
    assert parser.parse("毛衣女").attributes == {"人群": "女士"}
    assert parser.parse("女士口红").attributes == {"人群": "女士"}
    assert "人群" not in parser.parse("美女口红").attributes  # 女 inside the word 美女


def test_filler_removed_from_keywords(parser: RuleParser) -> None:
    q = parser.parse("有没有推荐一下好用的防晒霜")
    assert q.keywords == ["防晒霜"]
    assert q.product_words == ["防晒霜"]


def test_compatible_brand_is_not_a_brand_filter(parser: RuleParser) -> None:
    reading = parser.read("适用苹果 手机壳")
    q = reading.parsed
    assert q.brands == []
    assert "苹果" in q.keywords
    # still a mention of the brand, with the role "fits": the item is for Apple phones
    assert [m.roles for m in reading.mentions if m.text == "苹果"] == [(("brand", "apple/苹果", FITS),)]
    assert parser.parse("苹果手机").brands == ["Apple/苹果"]


def test_brand_written_as_a_pair_names_its_other_spelling(parser: RuleParser) -> None:
    reading = parser.read("apple/爱普 手机壳")
    assert reading.parsed.brands == ["Apple/苹果"]
    assert {m.text: m.roles for m in reading.mentions if m.of("brand")} == {
        "apple": (("brand", "apple/苹果", ""),),
        "爱普": (("brand", "apple/苹果", ""),),
    }
    assert not parser.read("apple/手机壳透明").mentions[-1].of("brand")  # a longer run: not a name


def test_stopwords_are_never_brands() -> None:
    products = [Product(id=f"z{i}", title=f"左右 鞋 {i}", brand="左右") for i in range(20)]
    lexicon = Lexicon.build(products)
    analyzer = ChineseAnalyzer(lexicon.user_words(), ["左右"])
    assert RuleParser(lexicon, analyzer).parse("左右 鞋").brands == []
    assert RuleParser(lexicon, ChineseAnalyzer(lexicon.user_words(), [])).parse("左右 鞋").brands == ["左右"]


def test_spelling_correction_sets_corrected(parser: RuleParser) -> None:
    q = parser.parse("欧莱雅洗面乃")
    assert q.corrected == q.normalized == "欧莱雅洗面奶"
    assert q.product_words == ["洗面奶"]
    assert q.confidence < 1.0
    assert parser.parse("欧莱雅洗面奶").corrected is None


def test_unrecognised_text_lowers_confidence(parser: RuleParser) -> None:
    known = parser.parse("兰芝隔离霜")
    unknown = parser.parse("赤木刚宪朝日奈")
    assert known.confidence > 0.9
    assert unknown.confidence < 0.7
    assert unknown.keywords  # the text stays searchable


def test_empty_and_punctuation(parser: RuleParser) -> None:
    assert parser.parse("").confidence == 1.0
    assert parser.parse("   ").keywords == []
    q = parser.parse("？？！")
    assert q.keywords == [] and 0 <= q.confidence <= 1


def test_latin_runs_stay_whole(parser: RuleParser) -> None:
    q = parser.parse("ignore previous instructions")
    assert q.keywords == ["ignore", "previous", "instructions"]


def test_failure_becomes_minimal_parse() -> None:
    lexicon, analyzer = build_parts()
    broken = RuleParser(lexicon, analyzer)
    broken.vocabulary = None  # type: ignore[assignment]
    q = broken.parse("兰芝 隔离霜")
    assert q.confidence == 0.0
    assert q.keywords == ["兰芝 隔离霜"]
    assert q.parser == "rules"


def test_from_build(tmp_path) -> None:
    from search.index import save_analysis
    from search.store.layout import BUILD_FORMAT, MANIFEST, write_json_atomic

    lexicon, analyzer = build_parts()
    from search.config import IndexConfig

    save_analysis(tmp_path, lexicon.user_words(), ["的", "了"], lexicon)
    write_json_atomic(
        tmp_path / MANIFEST, {"format": BUILD_FORMAT, "index_config": IndexConfig().model_dump(mode="json")}
    )
    from search.index import load_build_parts

    _, _, lexicon, analyzer = load_build_parts(tmp_path)
    parser = RuleParser.with_spelling(lexicon, analyzer)
    assert parser.parse("兰芝隔离霜").brands == ["Laneige/兰芝"]
    assert split_brand("Laneige/兰芝") == ["laneige/兰芝", "laneige", "兰芝"]
