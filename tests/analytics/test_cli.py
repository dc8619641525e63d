"""``search analytics`` on a data directory's search log: table, JSON, report with plots; the eval significance test."""

from __future__ import annotations

import json

from search.analytics.store import SearchLogStore
from search.cli import main
from search.evaluate import ProfileResult, paired_tests
from search.report import write_report
from search.store.layout import DataDir
from tests.analytics.test_store import EVENTS, SEARCHES


def _logged(tmp_path):
    data = tmp_path / "data"
    store = SearchLogStore(DataDir(data).search_log_db)
    store.write(SEARCHES, EVENTS)
    store.close()
    return data


def test_analytics_json_and_table(tmp_path, capsys):
    data = _logged(tmp_path)
    assert main(["analytics", "--data-dir", str(data), "--json", "--days", "30"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["searches"] == 10 and doc["zero_result_queries"][0]["query"] == "xyz"
    assert main(["analytics", "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    assert "面霜" in out and "CTR by position: 1:14.3%" in out and "zero-result queries" in out


def test_analytics_report_writes_markdown_html_and_plots(tmp_path, capsys):
    data = _logged(tmp_path)
    out = tmp_path / "report"
    assert main(["analytics", "--data-dir", str(data), "--report", str(out), "--json"]) == 0
    for name in ("report.md", "report.html", "volume.png", "ctr_by_position.png", "zero_results.png"):
        assert (out / name).stat().st_size > 0, name
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "## Zero-result queries" in md and "| xyz | 2 |" in md and "![Click-through by position]" in md
    assert "<td>面霜</td>" in (out / "report.html").read_text(encoding="utf-8")


def test_analytics_on_an_empty_data_dir_and_bad_days(tmp_path, capsys):
    assert main(["analytics", "--data-dir", str(tmp_path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["searches"] == 0
    assert main(["analytics", "--data-dir", str(tmp_path), "--days", "0"]) == 2


def test_analytics_purge_applies_the_retention(tmp_path, capsys, monkeypatch):
    data = _logged(tmp_path)
    monkeypatch.setenv("SEARCH_LOG_RETENTION_DAYS", "30")
    assert main(["analytics", "--data-dir", str(data), "--purge", "--json", "--days", "365"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["purged"] == {"searches": 1, "events": 0} and doc["searches"] == 10


def test_eval_significance_in_the_report(tmp_path):
    a, b = ProfileResult("bm25"), ProfileResult("hybrid")
    for i in range(60):
        a.per_query[str(i)] = {"ndcg@10": 0.3, "mrr@10": 0.3, "recall@10": 0.5, "recall@100": 0.8}
        b.per_query[str(i)] = {"ndcg@10": 0.5 if i % 4 else 0.2, "mrr@10": 0.3, "recall@10": 0.5, "recall@100": 0.8}
    tests = paired_tests([a, b], rounds=2000)
    assert tests[0]["b"] == "hybrid" and tests[0]["queries"] == 60
    assert tests[0]["metrics"]["ndcg@10"]["delta"] == 0.125 and tests[0]["metrics"]["ndcg@10"]["p"] < 0.01
    assert tests[0]["metrics"]["mrr@10"] == {"delta": 0.0, "p": 1.0}
    path = write_report([a, b], [], tmp_path, "judgments.tsv", tests=tests)
    text = path.read_text(encoding="utf-8")
    assert "paired randomisation test" in text and "| hybrid | +0.1250 (0.0" in text
