import json
import math

import pytest

from search.evaluate import (
    JudgmentError,
    ProfileResult,
    mrr,
    ndcg,
    query_metrics,
    read_judgments,
    recall,
    wins_and_losses,
)


def test_metrics_by_hand():
    rel = {"a": 2.0, "b": 1.0}
    ranked = ["x", "a", "b"]
    dcg = 3 / math.log2(3) + 1 / math.log2(4)
    idcg = 3 / math.log2(2) + 1 / math.log2(3)
    assert ndcg(ranked, rel) == pytest.approx(dcg / idcg)
    assert mrr(ranked, rel) == 0.5
    assert recall(ranked, rel, 2) == 0.5 and recall(ranked, rel, 100) == 1.0
    assert query_metrics([], rel) == {"ndcg@10": 0.0, "mrr@10": 0.0, "recall@10": 0.0, "recall@100": 0.0}


def test_read_tsv_with_grades_and_jsonl_sessions(tmp_path):
    tsv = tmp_path / "j.tsv"
    tsv.write_text("qid\tquery\tproduct_id\tgrade\n1\t面霜\tA\t2\n1\t面霜\tB\t1\n2\t手机\tC\t1\n", encoding="utf-8")
    js = read_judgments(tsv)
    assert [(j.qid, j.relevant) for j in js] == [("1", {"A": 2.0, "B": 1.0}), ("2", {"C": 1.0})]
    sessions = tmp_path / "s.jsonl"
    rows = [
        {"user_id": "u1", "query": "面霜", "relevant": ["A"]},
        {"user_id": None, "query": "x", "relevant": {"B": 2}},
    ]
    sessions.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    js = read_judgments(sessions)
    assert js[0].user_id == "u1" and js[1].user_id is None and js[1].relevant == {"B": 2.0}


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("j.tsv", "query\tproduct_id\n", "header"),
        ("j.tsv", "qid\tquery\tproduct_id\tgrade\n1\tq\tA\tx\n", "grade"),
        ("j.jsonl", "{bad\n", "invalid JSON"),
        ("j.jsonl", '{"query": "x", "relevant": 3}\n', "relevant"),
        ("j.xml", "", "unknown judgment format"),
    ],
)
def test_bad_judgment_files(tmp_path, name, content, message):
    (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(JudgmentError, match=message):
        read_judgments(tmp_path / name)


def test_wins_and_losses():
    a, b = ProfileResult("a"), ProfileResult("b")
    a.per_query = {"1": {"ndcg@10": 0.5}, "2": {"ndcg@10": 1.0}, "3": {"ndcg@10": 0.2}}
    b.per_query = {"1": {"ndcg@10": 0.9}, "2": {"ndcg@10": 0.0}, "3": {"ndcg@10": 0.2}}
    diff = wins_and_losses(a, b)
    assert [q for q, _ in diff["wins"]] == ["1"] and [q for q, _ in diff["losses"]] == ["2"] and diff["ties"] == 1
