"""SoundAlikeCorrector: sound-alike typos fixed by how often the shop searches and sells a word."""

from __future__ import annotations

import csv

import pytest

from search.text.analyzer import ChineseAnalyzer
from search.understand.soundalike import MappingCounts, SoundAlikeCorrector, chain
from search.understand.spelling import SpellCorrector, dictionary_cut
from tests.conftest import shared_path


def _cut(analyzer: ChineseAnalyzer):
    return dictionary_cut(analyzer, hmm=False)


CATALOG = {
    "豆浆机": 40,
    "充电宝": 60,
    "电饭煲": 30,
    "防晒喷雾": 12,
    "蓝牙耳机": 50,
    "蓝牙": 80,
    "耳机": 90,
    "充电": 120,
    "风潮": 3,
    "温湿度计": 30,
    "麻将机": 5,
}
QUERIES = {"豆浆机": 16, "充电宝": 53, "温氏": 2, "温湿": 20}


@pytest.fixture(scope="module")
def analyzer() -> ChineseAnalyzer:
    a = ChineseAnalyzer(list(CATALOG))
    a.warm_up()
    return a


@pytest.fixture(scope="module")
def corrector(analyzer: ChineseAnalyzer) -> SoundAlikeCorrector:
    return SoundAlikeCorrector(
        CATALOG, MappingCounts(QUERIES), analyzer.word_frequency, dictionary_cut(analyzer, hmm=False)
    )


def _fix(corrector, text: str) -> str:
    found = corrector.correct(text)
    return found.text if found is not None else text


@pytest.mark.parametrize(
    ("typed", "fixed"),
    [
        ("豆将机", "豆浆机"),  # 将 is a common word on its own: frequency decides, not a stop list
        ("充电包", "充电宝"),
        ("电饭保", "电饭煲"),
        ("防嗮喷雾", "防晒喷雾"),
        ("蓝芽耳机", "蓝牙耳机"),
        ("充电包 10000毫安", "充电宝 10000毫安"),  # digits and Latin untouched
    ],
)
def test_fixes_sound_alikes_of_frequent_words(corrector, typed: str, fixed: str) -> None:
    found = corrector.correct(typed)
    assert found is not None and found.text == fixed
    assert len(found.text) == len(typed)  # one for one: spans stay valid
    assert all(e.kind == "sound_alike" for e in found.edits)


@pytest.mark.parametrize(
    "text",
    [
        "丰巢",  # a real but rare word: no much more frequent sound-alike (风潮 has 3 titles)
        "温氏",  # the query log knows it (2 queries): never a typo, though 温湿 is searched more
        "iphone 15 pro max",  # all Latin
        "sk-ii",
        "斗降鸡",  # all typos: two characters off from 豆浆机, so nothing is guessed
        "豆浆机",
        "",
    ],
)
def test_leaves_real_words_latin_and_hopeless_input_alone(corrector, text: str) -> None:
    assert corrector.correct(text) is None


def test_query_counts_are_an_interface(analyzer: ChineseAnalyzer) -> None:
    class ShopLog:
        """A shop's own query store: it has seen 充电包 often (a product line of that name)."""

        def count(self, text: str) -> int:
            return 50 if text == "充电包" else 0

    corrector = SoundAlikeCorrector(CATALOG, ShopLog(), analyzer.word_frequency, _cut(analyzer))
    assert corrector.correct("充电包") is None
    assert corrector.frequency("充电包") == 50
    assert corrector.frequency("充电宝") == 60


def test_the_candidate_must_be_much_more_frequent(analyzer: ChineseAnalyzer) -> None:
    few = SoundAlikeCorrector(
        {"豆浆机": 2}, MappingCounts({}), analyzer.word_frequency, dictionary_cut(analyzer, hmm=False)
    )
    assert few.correct("豆将机") is None


def test_chain_applies_correctors_in_turn(analyzer: ChineseAnalyzer) -> None:
    catalog = SpellCorrector({"洗面奶": 30}, segment=_cut(analyzer))
    sound = SoundAlikeCorrector(
        CATALOG, MappingCounts(QUERIES), analyzer.word_frequency, dictionary_cut(analyzer, hmm=False)
    )
    both = chain(catalog, sound)
    found = both.correct("洗面乃 充电包")
    assert found is not None and found.text == "洗面奶 充电宝"
    assert [e.original for e in found.edits] == ["洗面乃", "充电包"]
    assert both.correct("洗面奶") is None


@pytest.mark.shared
def test_false_changes_on_the_shared_queries_stay_rare() -> None:
    """The real shared queries, as shoppers typed them: at most 1 % read as something else."""
    from search.index import load_build_parts
    from search.store.layout import DataDir

    path = shared_path("eval", "multicpr_dev.tsv")
    import os

    data_dir = os.environ.get("SEARCH_EVAL_DATA_DIR", "/tmp/dmain")
    try:
        build = DataDir(data_dir).require_build()
    except Exception:
        pytest.skip(f"needs an index of the shared catalog in {data_dir} (SEARCH_EVAL_DATA_DIR)")
    from search.understand.rules import RuleParser

    _, _, lexicon, analyzer = load_build_parts(build)
    parser = RuleParser.with_spelling(lexicon, analyzer)
    with path.open(encoding="utf-8") as f:
        queries = [row[1] for row in list(csv.reader(f, delimiter="\t"))[1:]]
    changed = [q for q in queries if parser.parse(q).corrected is not None]
    # two of the changes are real typos fixed (柜门交链 -> 铰链, 爱立舍 -> 爱丽舍): count all the same
    assert len(changed) <= round(0.012 * len(queries)), changed


def _corrector(analyzer: ChineseAnalyzer, catalog: dict[str, int], queries: dict[str, int]) -> SoundAlikeCorrector:
    return SoundAlikeCorrector(catalog, MappingCounts(queries), analyzer.word_frequency, _cut(analyzer))


def test_a_pair_of_loose_characters_needs_more_support_when_shoppers_typed_it(analyzer: ChineseAnalyzer) -> None:
    # 卖|片: two characters outside any dictionary word, never searched: 麦片 in 30 titles fixes it
    assert _fix(_corrector(analyzer, {"麦片": 30}, {}), "卖片") == "麦片"
    # below the pair support (and not seen with a neighbouring character): left alone
    assert _corrector(analyzer, {"麦片": 8}, {}).correct("卖片") is None
    # 净面 typed once by a shopper is a word of the shop: 镜面 in 22 titles is not enough to rewrite it
    assert _corrector(analyzer, {"镜面": 22}, {"净面": 1}).correct("净面") is None
    assert _fix(_corrector(analyzer, {"镜面": 22}, {}), "净面") == "镜面"


def test_a_character_inside_a_dictionary_word_changes_only_with_its_loose_neighbour(analyzer: ChineseAnalyzer) -> None:
    assert analyzer.word_frequency("西面") > 0  # the segmenter reads 西面|奶
    assert _fix(_corrector(analyzer, {"洗面奶": 40}, {}), "西面奶") == "洗面奶"
    assert _corrector(analyzer, {"洗面": 40}, {}).correct("西面") is None  # the word alone is never a typo
    assert _corrector(analyzer, {"洗面奶": 4}, {}).correct("西面奶") is None  # too rare a target


def test_a_candidate_seen_with_its_neighbour_wins(analyzer: ChineseAnalyzer) -> None:
    # 交链 sounds like 脚链 (anklets, many titles) and 铰链 (hinges): after 柜门, the shop writes 铰链
    corrector = _corrector(analyzer, {"脚链": 50, "铰链": 20, "柜门铰链": 6}, {})
    assert _fix(corrector, "柜门交链") == "柜门铰链"
