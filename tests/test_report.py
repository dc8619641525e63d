"""Evaluation reports: wins and losses of the default profile against each other one; plots zoomed to the data."""

import pytest

from search.evaluate import Judgment, ProfileResult
from search.report import comparisons, spread, write_report, zoom


def _result(name: str, ndcgs: list[float]) -> ProfileResult:
    res = ProfileResult(name)
    for i, v in enumerate(ndcgs):
        res.per_query[f"q{i}"] = {"ndcg@10": v, "mrr@10": v, "recall@10": v, "recall@100": min(1.0, v + 0.1)}
    return res


def test_the_default_profile_is_compared_with_each_other_one(tmp_path):
    results = [_result("bm25", [0.5, 0.6, 0.7]), _result("hybrid", [0.6, 0.6, 0.65]), _result("dense", [0.4, 0.7, 0.7])]
    assert comparisons(results, "hybrid", None) == [("hybrid", "bm25"), ("hybrid", "dense")]
    assert comparisons(results, None, None) == [("bm25", "hybrid"), ("bm25", "dense")]
    assert comparisons(results, "hybrid", ("bm25", "dense")) == [("bm25", "dense")]
    judgments = [Judgment(f"q{i}", f"查询{i}", {"p": 1.0}) for i in range(3)]
    report = write_report(results, judgments, tmp_path, "j.tsv", baseline="hybrid").read_text(encoding="utf-8")
    assert "## `bm25` against `hybrid`" in report and "## `dense` against `hybrid`" in report
    assert "`hybrid` against" not in report
    assert "1 queries better with `bm25`, 1 worse, 1 unchanged" in report
    assert (tmp_path / "metrics.png").stat().st_size > 1000


def test_spread_and_zoom():
    mean, lo, hi = spread([0.5, 0.7])
    assert mean == pytest.approx(0.6) and lo < 0.6 < hi and hi - 0.6 == pytest.approx(0.6 - lo)
    assert spread([0.3]) == (0.3, 0.3, 0.3) and spread([]) == (0.0, 0.0, 0.0)
    lo, hi = zoom([0.80, 0.82], [0.84, 0.86])
    assert 0.7 < lo < 0.8 and 0.86 < hi < 0.9  # a 0.03 difference fills the axis
    assert zoom([0.0], [1.0]) == (0.0, 1.0)
