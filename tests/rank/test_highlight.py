"""Highlighting: matched words in <em>, everything else escaped, matched through normalisation."""

from search.product import Product
from search.rank.highlight import highlight, highlight_terms
from search.text.analyzer import ChineseAnalyzer
from search.text.lexicon import Lexicon


def test_marks_terms_and_escapes_everything_else():
    out = highlight('<script>alert("x")</script> 兰芝隔离霜 & more', ["隔离霜"])
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert "&quot;x&quot;" in out and "&amp; more" in out
    assert "<em>隔离霜</em>" in out


def test_a_script_title_with_a_matched_word_inside_the_tag():
    out = highlight("<script>面霜</script>", ["script", "面霜"])
    assert out == "&lt;<em>script</em>&gt;<em>面霜</em>&lt;/<em>script</em>&gt;"


def test_width_case_and_traditional_map_back_to_the_shown_characters():
    assert highlight("ＬＡＮＥＩＧＥ蘭芝面霜", ["laneige", "兰芝"]) == "<em>ＬＡＮＥＩＧＥ蘭芝</em>面霜"


def test_latin_terms_match_whole_runs_only():
    assert highlight("SE case", ["se"]) == "<em>SE</em> case"
    assert highlight("rtx4060 显卡", ["4060"]) == "rtx<em>4060</em> 显卡"


def test_no_terms_is_the_escaped_title():
    assert highlight("a<b", []) == "a&lt;b"
    assert highlight("", ["x"]) == ""


def test_brand_aliases_are_terms():
    lex = Lexicon.build([Product(id="1", title="t", brand="Laneige/兰芝")])
    analyzer = ChineseAnalyzer(["兰芝", "隔离霜"])
    terms = highlight_terms(analyzer.analyze("兰芝隔离霜"), ["Laneige/兰芝"], lex)
    assert {"兰芝", "laneige", "隔离霜"} <= set(terms)
    assert highlight("Laneige/兰芝雪纱防晒隔离霜", terms) == "<em>Laneige</em>/<em>兰芝</em>雪纱防晒<em>隔离霜</em>"
