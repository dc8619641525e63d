"""The nothing-matches decision: pure parts."""

from search.rank.nomatch import coverage, held, idf, judge, latin_runs, query_terms, weak

KW = dict(min_coverage=0.5, dense_threshold=0.9)


def test_terms_drop_punctuation_and_stopwords():
    assert query_terms(["兰芝", " ", "的", "，", "model", "3"], frozenset({"的"})) == ["兰芝", "model", "3"]
    assert weak("3") and weak("鞋") and not weak("鞋子")


def test_rare_words_weigh_more_and_coverage_is_the_best_item():
    assert idf(0, 1000) > idf(10, 1000) > idf(900, 1000)
    terms, weights = ["兰芝", "火箭"], [1.0, 3.0]
    assert coverage(terms, weights, ["兰芝面霜", "火箭 兰芝"]) == 1.0
    assert coverage(terms, weights, ["兰芝面霜"]) == 0.25
    assert coverage(["se"], [1.0], ["case"]) == 0.0


def test_verdicts():
    texts = ["兰芝隔离霜 30ml"]
    assert judge(["隔离霜"], [1.0], texts, 0.8, known_intent=False, absent_brands=[], **KW).reason == "words"
    assert not judge(["火箭"], [1.0], texts, 0.85, known_intent=False, absent_brands=[], **KW).matched
    assert judge(["火箭"], [1.0], texts, 0.95, known_intent=False, absent_brands=[], **KW).reason == "meaning"
    assert judge(["火箭"], [1.0], texts, 0.5, known_intent=True, absent_brands=[], **KW).matched
    absent = judge(["隔离霜"], [1.0], texts, 0.95, known_intent=False, absent_brands=["特斯拉"], **KW)
    assert not absent.matched and absent.absent == ["特斯拉"]
    assert not judge([], [], texts, 0.5, known_intent=False, absent_brands=[], **KW).matched
    assert judge([], [], texts, None, known_intent=True, absent_brands=[], **KW).to_dict()["matched"]


def test_a_compound_counts_for_its_parts_and_latin_ignores_separators():
    text = "改装外置室外信号汽车车用天线"
    assert held(text, "天线") == 1.0
    assert held(text, "室外天线") == 0.0  # not whole, no parts given
    assert held(text, "室外天线", ["室外", "天线"]) == 1.0
    assert held(text, "室外天线", ["室外", "天线", "八木"]) == 2 / 3
    assert held("heyna_official 中古外套", "heynaofficial") == 1.0
    assert held("heyna official", "heyn") == 0.0  # still whole Latin runs only
    cov = coverage(["威驰", "室外天线"], [1.0, 1.0], [text], {"室外天线": ["室外", "天线"]})
    assert cov == 0.5


def test_words_no_dictionary_knows_are_no_evidence() -> None:
    texts = ["兰芝隔离霜 紫色", "雷焱 鲫鱼饵料"]
    # a misspelt query the segmenter glued into guessed words: the shop cannot tell, results stay
    verdict = judge(
        ["龙登爱", "增美"],
        [5.0, 5.0],
        texts,
        0.8,
        known_intent=False,
        absent_brands=[],
        unknown=["龙登爱", "增美"],
        **KW,
    )
    assert verdict.matched and verdict.reason == "unknown words"
    # the known words still decide: 直升机 is a word, and no item holds it
    both = judge(
        ["直升机", "增美"], [5.0, 5.0], texts, 0.8, known_intent=False, absent_brands=[], unknown=["增美"], **KW
    )
    assert not both.matched
    held_word = judge(
        ["饵料", "儿料"], [1.0, 5.0], texts, 0.8, known_intent=False, absent_brands=[], unknown=["儿料"], **KW
    )
    assert held_word.matched and held_word.reason == "words"
    # a brand the catalog lacks is evidence, whatever the other words
    assert not judge(
        ["增美"], [1.0], texts, 0.8, known_intent=False, absent_brands=["特斯拉"], unknown=["增美"], **KW
    ).matched


def test_a_latin_run_is_one_word() -> None:
    assert latin_runs(["asd", "fghjkl"]) == ["asdfghjkl"]
    assert latin_runs(["model", " ", "3"]) == ["model", " ", "3"]
    assert latin_runs(["兰芝", "bb", "霜"]) == ["兰芝", "bb", "霜"]
    assert latin_runs(["xbox", "360", "手柄"]) == ["xbox360", "手柄"]


def test_a_rare_word_held_by_an_item_far_in_meaning_is_a_coincidence() -> None:
    texts = ["律师推荐 办公桌", "兰芝隔离霜"]
    terms, weights = ["离婚", "律师"], [1.0, 1.0]
    assert coverage(terms, weights, texts) == 0.5
    # the only title holding 律师 is far from the query: its rare word does not count
    assert coverage(terms, weights, texts, rare=frozenset({"律师"}), far=[True, False]) == 0.0
    # close in meaning, it does; and a word many titles hold is never discounted
    assert coverage(terms, weights, texts, rare=frozenset({"律师"}), far=[False, False]) == 0.5
    assert coverage(terms, weights, texts, rare=frozenset(), far=[True, True]) == 0.5
    verdict = judge(
        terms,
        weights,
        texts,
        0.87,
        known_intent=False,
        absent_brands=[],
        rare=frozenset({"律师"}),
        far=[True, False],
        **KW,
    )
    assert not verdict.matched and verdict.coverage == 0.0
