"""SpellCorrector: pinyin-aware, confident-only correction against catalog words."""

from __future__ import annotations

import pytest

from search.understand.spelling import Correction, SpellCorrector, fuzzy, query_word_counts, readings
from tests.understand.test_rules import build_parts


@pytest.fixture(scope="module")
def corrector() -> SpellCorrector:
    lexicon, analyzer = build_parts()
    return SpellCorrector.from_lexicon(lexicon, analyzer)


def _fix(corrector: SpellCorrector, text: str) -> str:
    result = corrector.correct(text)
    return result.text if result is not None else text


@pytest.mark.parametrize(
    ("typed", "fixed"),
    [
        ("洗面乃", "洗面奶"),  # homophone (nai)
        ("隔离双", "隔离霜"),  # homophone (shuang)
        ("欧莱雅洗面乃 100ml", "欧莱雅洗面奶 100ml"),  # in context, Latin and numbers untouched
        ("隔离霜 洗面乃", "隔离霜 洗面奶"),
    ],
)
def test_fixes_homophones_of_catalog_words(corrector: SpellCorrector, typed: str, fixed: str) -> None:
    result = corrector.correct(typed)
    assert isinstance(result, Correction)
    assert result.text == fixed
    assert len(result.text) == len(typed)  # one-for-one: spans stay valid
    assert 0 < result.confidence <= 1
    assert all(e.kind in ("homophone", "near_homophone", "one_char") for e in result.edits)


@pytest.mark.parametrize(
    "text",
    [
        "兰芝隔离霜",  # known words
        "欧莱雅",  # a brand
        "laneig 隔离霜",  # Latin text is never corrected
        "p70d20tl-d4",  # model numbers
        "300元以下",  # numbers and price phrases
        "两百到三百",
        "华为手机",
        "",
        "a",
    ],
)
def test_leaves_correct_text_alone(corrector: SpellCorrector, text: str) -> None:
    assert corrector.correct(text) is None


def test_near_homophones_need_more_support() -> None:
    words = {"隔离霜": 3}
    known = {"隔离"}.__contains__
    lone = SpellCorrector(words, known=known, segment=lambda run: ["隔离", run[2:]], min_count=3)
    assert _fix(lone, "隔离栓") == "隔离栓"  # shuan ~ shuang is near, 3 titles are not enough
    rich = SpellCorrector({"隔离霜": 6}, known=known, segment=lambda run: ["隔离", run[2:]], min_count=3)
    assert _fix(rich, "隔离栓") == "隔离霜"


def test_ambiguous_candidates_mean_no_change() -> None:
    # 洗面乃 could be 洗面奶 or 洗面耐 with similar support: prefer no change
    words = {"洗面奶": 10, "洗面耐": 8}
    c = SpellCorrector(words, known={"洗面"}.__contains__, segment=lambda run: ["洗面", run[2:]])
    assert c.correct("洗面乃") is None
    dominant = SpellCorrector(
        {"洗面奶": 100, "洗面耐": 3}, known={"洗面"}.__contains__, segment=lambda r: ["洗面", r[2:]]
    )
    assert _fix(dominant, "洗面乃") == "洗面奶"


def test_known_words_are_never_edited() -> None:
    # 磨具 is a real word: even with 模具 frequent, a known token is not changed
    c = SpellCorrector({"模具": 50}, known={"磨具"}.__contains__, segment=lambda run: [run])
    assert c.correct("磨具") is None


def test_unanchored_windows_need_strong_support() -> None:
    c = SpellCorrector({"沙袋": 3}, segment=list, min_count=3)
    assert c.correct("沙贷") is None
    c = SpellCorrector({"沙袋": 6}, segment=list, min_count=3)
    assert _fix(c, "沙贷") == "沙袋"


def test_common_characters_are_not_typos() -> None:
    c = SpellCorrector({"大底": 100}, segment=list, char_freq=lambda ch: 100000 if ch == "的" else 10)
    assert c.correct("大的") is None


def test_pinyin_helpers() -> None:
    assert "nai" in readings("乃")
    assert set(readings("长")) >= {"chang", "zhang"}
    assert fuzzy("zhang") == fuzzy("zan") == "zan"
    assert fuzzy("ning") == fuzzy("lin")


def test_at_most_two_edits_and_never_raises() -> None:
    c = SpellCorrector({"洗面奶": 50, "隔离霜": 50}, known={"洗面", "隔离"}.__contains__)
    for text in ("洗面乃隔离双洗面乃", "\x00\ud7ff", "ｘ" * 50, "乃" * 1000):
        result = c.correct(text)
        assert result is None or len(result.edits) <= 2


def test_query_log_counts_strings_typed_in_several_queries() -> None:
    _, analyzer = build_parts()
    counts = query_word_counts(["洗面乃 100ml", "欧莱雅洗面乃", "洗面奶", "  ", "乃"], analyzer)
    assert counts["洗面乃"] == 2 and counts["面乃"] == 2
    assert "欧莱雅洗" not in counts  # in one query only
    assert all(2 <= len(w) <= 4 for w in counts)


def test_query_log_spellings_are_not_corrected() -> None:
    lexicon, analyzer = build_parts()
    assert _fix(SpellCorrector.from_lexicon(lexicon, analyzer), "洗面乃") == "洗面奶"
    # a shop whose shoppers keep typing 洗面乃 (say, a product of that name): leave it alone
    log = query_word_counts(["洗面乃", "洗面乃 大瓶", "兰芝 洗面乃"], analyzer)
    assert SpellCorrector.from_lexicon(lexicon, analyzer, query_terms=log).correct("洗面乃") is None
    lexicon.query_terms = log  # as the indexer saves analysis.query_log
    try:
        assert SpellCorrector.from_lexicon(lexicon, analyzer).correct("洗面乃") is None
        assert _fix(SpellCorrector.from_lexicon(lexicon, analyzer, query_terms={}), "洗面乃") == "洗面奶"
    finally:
        lexicon.query_terms = {}


def test_query_log_keeps_pairs_typed_once() -> None:
    _, analyzer = build_parts()
    counts = query_word_counts(["净面清洁", "洗面奶"], analyzer)
    assert counts["净面"] == 1  # a pair a shopper typed: evidence the sound-alike corrector needs
    assert "净面清" not in counts  # longer strings still need two queries
