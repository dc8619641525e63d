"""Autocomplete on a small hand-made catalog and log: characters, pinyin, initials, mixed, typos, bad input."""

import pytest

from search.product import Product
from search.suggest.prefix import PrefixIndex
from search.suggest.querylog import QueryLog, QueryLogError, import_queries, read_query_file
from search.suggest.source import catalog_phrases
from search.suggest.suggester import Suggester
from search.text.analyzer import ChineseAnalyzer
from search.text.lexicon import Lexicon

PRODUCTS = [
    Product(id="1", title="Laneige/兰芝雪纱防晒隔离霜 30ml", brand="Laneige/兰芝", category="美妆护肤/彩妆/隔离霜"),
    Product(id="2", title="兰芝隔离霜 紫色 妆前乳", brand="Laneige/兰芝", category="美妆护肤/彩妆/隔离霜"),
    Product(id="3", title="兰芝水衡保湿面霜", brand="Laneige/兰芝", category="美妆护肤/面部护理/面霜"),
    Product(id="4", title="Nike 男子跑步鞋 气垫", brand="Nike/耐克", category="运动户外/跑步鞋"),
    Product(id="5", title="Nike 女子跑步鞋", brand="Nike/耐克", category="运动户外/跑步鞋"),
    Product(id="6", title="小米14 手机 16GB+512GB", brand="Xiaomi/小米", category="手机数码/手机"),
]
LOG = [("兰芝隔离霜", 30), ("兰芝面霜", 5), ("耐克跑步鞋", 8), ("小米手机", 12), ("火箭发射器", 50), ("qwzxv", 9)]


@pytest.fixture(scope="module")
def analyzer():
    return ChineseAnalyzer(["兰芝", "隔离霜", "面霜", "跑步鞋", "耐克", "小米", "手机"])


@pytest.fixture(scope="module")
def suggester(analyzer):
    lexicon = Lexicon.build(PRODUCTS)
    phrases = catalog_phrases(PRODUCTS, analyzer, lexicon)
    return Suggester.build(phrases, LOG, analyzer)


def texts(suggester, q, size=10, prefer=()):
    return [s.text for s in suggester.suggest(q, size, prefer)]


def test_characters_complete_from_log_brands_and_titles(suggester):
    got = suggester.suggest("兰芝", 10)
    assert got[0].text == "兰芝隔离霜" or got[0].text == "兰芝"
    assert {"兰芝隔离霜", "兰芝"} <= {s.text for s in got}
    assert all(s.text.startswith("兰芝") for s in got)
    assert {s.kind for s in got} <= {"query", "brand", "category", "product"}


def test_full_pinyin_initials_mixed_case_width_and_a_typo(suggester):
    for q in ("lanzhi", "LANZHI", "ｌａｎｚｈｉ", "兰zhi", "lzgl", "lanzgi"):
        got = texts(suggester, q)
        assert any(t.startswith("兰芝") for t in got), (q, got)
    assert "兰芝隔离霜" in texts(suggester, "lzgl")


def test_latin_brand_prefix(suggester):
    got = texts(suggester, "nik")
    assert "Nike" in got


def test_never_suggests_what_finds_nothing(suggester):
    everything = [t for q in ("火", "huojian", "hj", "q", "qw", "qwz") for t in texts(suggester, q, 50)]
    assert "火箭发射器" not in everything and "qwzxv" not in everything


def test_completes_the_last_partly_typed_word(suggester):
    got = texts(suggester, "紫色防晒隔")
    assert "紫色防晒隔离霜" in got


def test_preferred_brands_come_first(suggester):
    got = texts(suggester, "n", prefer=["耐克", "nike"])
    assert got and ("耐克" in got[0] or "nike" in got[0].lower())
    assert texts(suggester, "x", prefer=["小米"])[0].startswith("小米")


@pytest.mark.parametrize("q", ["", " ", "\x00\x01", "😀😀", "<script>", "ä" * 10, "x" * 1000])
def test_odd_input_gives_a_list(suggester, q):
    assert isinstance(suggester.suggest(q, 10), list)


def test_size_bounds(suggester):
    assert suggester.suggest("兰芝", 0) == []
    assert len(suggester.suggest("兰芝", 1)) == 1


def test_prefix_index_finds_the_best_without_scanning():
    keys = [(f"a{i:05d}", i) for i in range(5000)] + [("b", 5000)]
    scores = list(range(5001))
    index = PrefixIndex(keys, scores, top=8, scan_limit=64)
    assert index.best("a", 3) == [4999, 4998, 4997]
    assert index.best("a00", 2) == [999, 998]
    assert index.best("a0000", 20) == list(range(9, -1, -1))
    assert index.best("c", 5) == [] and index.count("a0") == 5000 and index.count("b") == 1


def test_query_log_counts_survive_and_add(tmp_path):
    path = tmp_path / "q.txt"
    path.write_text("兰芝隔离霜\t3\n\n兰芝隔离霜\nＮＩＫＥ 跑鞋\n", encoding="utf-8")
    result = import_queries(tmp_path / "data", path)
    assert result == {"lines": 3, "imported": 3, "skipped": 0, "queries": 2}
    log = QueryLog.open(tmp_path / "data")
    assert log.add("nike 跑鞋", 2) and not log.add("   ")
    assert dict(log.counts()) == {"兰芝隔离霜": 4, "nike 跑鞋": 3}
    log.close()


def test_bad_query_files(tmp_path):
    with pytest.raises(QueryLogError, match="not found"):
        list(read_query_file(tmp_path / "missing.txt"))
    bad = tmp_path / "bad.txt"
    bad.write_text("ok\nq\tmany\n", encoding="utf-8")
    with pytest.raises(QueryLogError, match=":2: count"):
        list(read_query_file(bad))
    bad.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(QueryLogError, match="UTF-8"):
        list(read_query_file(bad))


def test_beginnings_count_runs_inside_queries_with_common_readings():
    from search.suggest.beginnings import Beginnings

    b = Beginnings.build(["春季长裙", "长裙", "兰芝隔离霜"], [1, 1, 9], [True, True, False])
    # 长 is read chang or zhang: the run is found both ways, and inside 春季长裙 too
    assert b.lookup("changqun", initials=False)[0] == "长裙"
    assert b.lookup("zhangqun", initials=False)[0] == "长裙"
    assert b.score["长裙"] == 1 + 5  # inside one query, at the start of another
    assert b.lookup("gls", initials=True) == ["隔离霜"]
    assert b.shown["芝隔离"] == "芝隔离霜"


def test_pinyin_offers_a_run_seen_inside_a_logged_query(analyzer):
    lexicon = Lexicon.build(PRODUCTS)
    phrases = catalog_phrases(PRODUCTS, analyzer, lexicon)
    s = Suggester.build(phrases, [("春季兰芝面霜", 3), ("兰芝火箭", 1)], analyzer)
    # 面霜 begins no entry of its own here but is inside a logged query; what is offered finds products
    got = texts(s, "mianshuang")
    assert any(t.startswith("面霜") for t in got), got
    assert all(s.finds_products(t) for t in got)


def test_queries_that_find_nothing_count_for_beginnings_but_are_never_shown():
    from search.suggest.beginnings import Beginnings

    b = Beginnings.build(["面霜保湿", "面霜火箭"], [1, 50], [True, True], shows=[True, False])
    assert b.score["面霜"] == 5 + 250  # both count for how shoppers begin
    assert b.shown["面霜"] == "面霜保湿"  # only the one that may be offered is shown
    assert "霜火箭" not in b.shown


def test_a_logged_query_that_finds_nothing_still_says_how_shoppers_begin(analyzer):
    lexicon = Lexicon.build(PRODUCTS)
    phrases = catalog_phrases(PRODUCTS, analyzer, lexicon)
    # 跑鞋 is typed at the start of queries that find nothing (火箭 is sold nowhere) ...
    log = [("跑鞋火箭", 40), ("跑步鞋", 1)]
    s = Suggester.build(phrases, log, analyzer)
    assert s.beginnings.score["跑鞋"] >= 40 * 5
    got = texts(s, "paoxie", 50)
    # ... so those runs rank, but nothing offered is a query that finds nothing
    assert "跑鞋火箭" not in got
    assert all(s.finds_products(t) for t in got)
