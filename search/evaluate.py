"""Offline relevance evaluation: judgments in, nDCG / MRR / recall per profile out.

Judgment files (see ``docs/interfaces.md``):

- TSV with a header containing ``qid``, ``query``, ``product_id`` and optionally
  ``grade`` (default 1); one relevant product per line, lines sharing a qid form one query;
- JSONL of sessions ``{"user_id", "query", "relevant": [ids] | {id: grade}}`` where a
  null ``user_id`` is an anonymous shopper.

Metrics (pure functions below): nDCG@10 with graded gains ``2^g - 1`` and the ideal
ordering of the judged grades; MRR@10 (first relevant, any grade > 0); recall@10 and
recall@100 over the relevant set.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from search.errors import InputError

KS = (10, 100)


class JudgmentError(InputError):
    """A judgment file cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Judgment:
    """One evaluation query with its graded relevant products."""

    qid: str
    query: str
    relevant: dict[str, float]
    user_id: str | None = None


def read_judgments(path: Path) -> list[Judgment]:
    """Read TSV or JSONL judgments (by extension: ``.tsv``/``.csv`` or ``.jsonl``/``.json``)."""
    path = Path(path)
    if not path.exists():
        raise JudgmentError(f"judgments not found: {path}")
    if path.suffix.lower() in (".jsonl", ".json"):
        return _read_jsonl(path)
    if path.suffix.lower() in (".tsv", ".csv", ".txt"):
        return _read_tsv(path)
    raise JudgmentError(f"{path}: unknown judgment format {path.suffix!r}; use .tsv or .jsonl")


def _read_tsv(path: Path) -> list[Judgment]:
    delimiter = "," if path.suffix.lower() == ".csv" else "\t"
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter=delimiter)
        need = {"qid", "query", "product_id"}
        if not reader.fieldnames or not need <= set(reader.fieldnames):
            raise JudgmentError(f"{path}: header must contain qid, query, product_id (found {reader.fieldnames})")
        by_qid: dict[str, Judgment] = {}
        for row in reader:
            qid, query, pid = (
                (row.get("qid") or "").strip(),
                row.get("query") or "",
                (row.get("product_id") or "").strip(),
            )
            if not qid or not pid:
                raise JudgmentError(f"{path}:{reader.line_num}: empty qid or product_id")
            try:
                grade = float(row.get("grade") or 1)
            except ValueError:
                raise JudgmentError(f"{path}:{reader.line_num}: grade is not a number") from None
            j = by_qid.setdefault(qid, Judgment(qid, query, {}))
            if j.query != query:
                raise JudgmentError(f"{path}:{reader.line_num}: qid {qid} has two different queries")
            j.relevant[pid] = max(grade, j.relevant.get(pid, 0.0))
    return list(by_qid.values())


def _read_jsonl(path: Path) -> list[Judgment]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise JudgmentError(f"{path}:{number}: invalid JSON ({exc.msg})") from None
            rel = row.get("relevant")
            if isinstance(rel, list):
                relevant = {str(r): 1.0 for r in rel}
            elif isinstance(rel, dict):
                relevant = {str(k): float(v) for k, v in rel.items()}
            else:
                raise JudgmentError(f"{path}:{number}: relevant must be a list of ids or an {{id: grade}} object")
            if not isinstance(row.get("query"), str):
                raise JudgmentError(f"{path}:{number}: query must be a string")
            user = row.get("user_id")
            out.append(Judgment(str(row.get("qid", number)), row["query"], relevant, str(user) if user else None))
    return out


# ---------------------------------------------------------------------------- metrics (pure)


def ndcg(ranked: Sequence[str], relevant: dict[str, float], k: int = 10) -> float:
    """nDCG@k with gains ``2^grade - 1``."""
    dcg = sum((2 ** relevant.get(d, 0.0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted((g for g in relevant.values() if g > 0), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def mrr(ranked: Sequence[str], relevant: dict[str, float], k: int = 10) -> float:
    """Reciprocal rank of the first relevant item within the top k."""
    for i, d in enumerate(ranked[:k]):
        if relevant.get(d, 0.0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def recall(ranked: Sequence[str], relevant: dict[str, float], k: int) -> float:
    """Share of the relevant items found in the top k."""
    rel = {d for d, g in relevant.items() if g > 0}
    return len(rel & set(ranked[:k])) / len(rel) if rel else 0.0


def query_metrics(ranked: Sequence[str], relevant: dict[str, float]) -> dict[str, float]:
    """All metrics for one query."""
    return {
        "ndcg@10": ndcg(ranked, relevant, 10),
        "mrr@10": mrr(ranked, relevant, 10),
        "recall@10": recall(ranked, relevant, 10),
        "recall@100": recall(ranked, relevant, 100),
    }


@dataclass
class ProfileResult:
    """Metrics of one profile over a judgment set."""

    profile: str
    per_query: dict[str, dict[str, float]] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """Mean of each metric, and the query count."""
        n = len(self.per_query)
        names = ["ndcg@10", "mrr@10", "recall@10", "recall@100"]
        out: dict[str, Any] = {m: round(sum(q[m] for q in self.per_query.values()) / n, 4) if n else 0.0 for m in names}
        out["queries"] = n
        return out


Searcher = Callable[[Judgment, str], list[str]]


def evaluate(judgments: Sequence[Judgment], profiles: Sequence[str], searcher: Searcher) -> list[ProfileResult]:
    """Run every judgment through ``searcher(judgment, profile)`` (top-100 ids) for each profile."""
    results = []
    for profile in profiles:
        res = ProfileResult(profile)
        for j in judgments:
            ranked = searcher(j, profile)
            res.per_query[j.qid] = query_metrics(ranked, j.relevant)
        results.append(res)
    return results


def wins_and_losses(a: ProfileResult, b: ProfileResult, metric: str = "ndcg@10", eps: float = 1e-9) -> dict[str, Any]:
    """Per-query comparison of two profiles: the queries where ``b`` beats ``a`` and the reverse."""
    wins, losses, ties = [], [], 0
    for qid, ma in a.per_query.items():
        mb = b.per_query.get(qid)
        if mb is None:
            continue
        delta = mb[metric] - ma[metric]
        if delta > eps:
            wins.append((qid, delta))
        elif delta < -eps:
            losses.append((qid, delta))
        else:
            ties += 1
    wins.sort(key=lambda x: -x[1])
    losses.sort(key=lambda x: x[1])
    return {"metric": metric, "a": a.profile, "b": b.profile, "wins": wins, "losses": losses, "ties": ties}


#: the metrics of :func:`query_metrics`, in table order
METRIC_NAMES = ("ndcg@10", "mrr@10", "recall@10", "recall@100")


def paired_tests(results: Sequence[ProfileResult], rounds: int = 10_000, seed: int = 0) -> list[dict[str, Any]]:
    """Each profile against the first, per metric: mean difference and a paired randomisation p-value.

    Only queries both profiles answered are paired. Returns
    ``[{"a": base, "b": other, "queries": n, "metrics": {metric: {"delta": x, "p": p}}}]``.
    """
    from search.analytics.stats import paired_randomization

    if len(results) < 2:
        return []
    base = results[0]
    out = []
    for other in results[1:]:
        qids = [q for q in base.per_query if q in other.per_query]
        metrics: dict[str, dict[str, float]] = {}
        for m in METRIC_NAMES:
            a = [base.per_query[q][m] for q in qids]
            b = [other.per_query[q][m] for q in qids]
            delta = (sum(b) - sum(a)) / len(qids) if qids else 0.0
            metrics[m] = {"delta": round(delta, 4), "p": round(paired_randomization(a, b, rounds, seed), 4)}
        out.append({"a": base.profile, "b": other.profile, "queries": len(qids), "metrics": metrics})
    return out
