import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.text.analyzer import ChineseAnalyzer, model_tokens


@pytest.fixture(scope="module")
def analyzer():
    return ChineseAnalyzer(user_words=["兰芝", "隔离霜", "雪纱", "Laneige"], stopwords=["的", "包邮", "正品"])


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("p70d20tl-d4", ["p70d20tl-d4", "p70d20tld4", "p70d20tl", "d4", "4"]),
        ("18-55stm", ["18-55stm", "1855stm", "18", "55stm", "55", "stm"]),
        ("z62", ["z62", "62"]),
        ("rtx4060", ["rtx4060", "rtx", "4060"]),
        ("1.5", ["1.5"]),
        ("f/4-5.6", ["f/4-5.6", "f45.6", "4", "5.6"]),
    ],
)
def test_model_numbers_are_kept_whole_and_split(token, expected):
    assert model_tokens(token) == expected


def test_single_letters_are_not_tokens():
    assert model_tokens("a") == []
    assert model_tokens("7") == ["7"]


def test_words_use_user_dictionary_and_drop_stopwords(analyzer):
    a = analyzer.analyze("Laneige/兰芝雪纱防晒隔离霜30ml 包邮 正品的")
    assert "兰芝" in a.words
    assert "隔离霜" in a.words
    assert "雪纱" in a.words
    assert "包邮" not in a.words and "正品" not in a.words and "的" not in a.words
    # Latin and digit runs belong to the models feature, not to words
    assert "laneige" not in a.words and "laneige" in a.models
    assert "30ml" in a.models


def test_chars_are_unigrams_and_bigrams_without_punctuation(analyzer):
    a = analyzer.analyze("兰芝-隔离 霜")
    assert a.chars == ["兰", "芝", "隔", "离", "霜", "兰芝", "芝隔", "隔离", "离霜"]


def test_same_analysis_for_traditional_and_full_width_queries(analyzer):
    assert analyzer.analyze("蘭芝隔離霜").words == analyzer.analyze("兰芝隔离霜").words
    assert analyzer.analyze("ＲＴＸ４０６０").models == analyzer.analyze("rtx4060").models


def test_unknown_feature_is_a_clear_error(analyzer):
    with pytest.raises(ValueError, match="valid: words, models, chars"):
        analyzer.analyze("x").feature("bigrams")


def test_digest_changes_with_dictionary():
    a = ChineseAnalyzer(["兰芝"], [])
    b = ChineseAnalyzer(["兰芝", "雪花秀"], [])
    assert a.user_words_digest() != b.user_words_digest()
    assert a.user_words_digest() == ChineseAnalyzer(["兰芝"], []).user_words_digest()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_analyzer_never_raises(analyzer, text):
    a = analyzer.analyze(text)
    for feature in ("words", "models", "chars"):
        tokens = a.feature(feature)
        assert all(isinstance(t, str) and t and " " not in t for t in tokens)


def test_analyzers_share_the_general_dictionary_but_not_their_user_words():
    a = ChineseAnalyzer(["兰芝隔离霜"], [])
    b = ChineseAnalyzer([], [])
    assert a.word_frequency("兰芝隔离霜") > 0 and b.word_frequency("兰芝隔离霜") == 0
    assert a.word_frequency("手机") == b.word_frequency("手机") > 0  # jieba's general dictionary
    assert "兰芝隔离霜" in a.cut("兰芝隔离霜") and "兰芝隔离霜" not in b.cut("兰芝隔离霜")


def test_common_words_are_the_words_jieba_lists_not_their_prefixes():
    from search.text.analyzer import common_words

    assert common_words(["手机", "中华人民共和国", "中华人民共", "兰芝隔离霜"]) == {"手机", "中华人民共和国"}
    assert common_words([]) == set()
