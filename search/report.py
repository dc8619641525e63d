"""Evaluation reports: a Markdown page with a metrics table, a plot, and per-query wins and losses."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from search.evaluate import Judgment, ProfileResult, wins_and_losses

METRICS = ("ndcg@10", "mrr@10", "recall@10", "recall@100")


def plot_metrics(results: Sequence[ProfileResult], path: Path) -> None:
    """A grouped bar chart of each profile's metrics, saved as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.2), dpi=110)
    width = 0.8 / max(len(results), 1)
    for i, res in enumerate(results):
        summary = res.summary()
        xs = [m + i * width for m in range(len(METRICS))]
        bars = ax.bar(xs, [summary[m] for m in METRICS], width=width, label=res.profile)
        ax.bar_label(bars, fmt="%.3f", fontsize=7, padding=1)
    ax.set_xticks([m + width * (len(results) - 1) / 2 for m in range(len(METRICS))], METRICS)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("score")
    ax.set_title("Relevance by profile")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_report(
    results: Sequence[ProfileResult],
    judgments: Sequence[Judgment],
    out_dir: Path,
    source: str,
    compare: tuple[str, str] | None = None,
    limit: int = 25,
    tests: Sequence[dict[str, Any]] = (),
) -> Path:
    """Write ``report.md`` and ``metrics.png`` into ``out_dir``; return the Markdown path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    plot_metrics(results, out_dir / "metrics.png")
    queries = {j.qid: j.query for j in judgments}
    lines = [
        "# Relevance evaluation",
        "",
        f"Judgments: `{source}` ({len(judgments)} queries).",
        "",
        "| profile | " + " | ".join(METRICS) + " | queries |",
        "| --- | " + " | ".join("---" for _ in METRICS) + " | --- |",
    ]
    for res in results:
        s = res.summary()
        lines.append(f"| {res.profile} | " + " | ".join(f"{s[m]:.4f}" for m in METRICS) + f" | {s['queries']} |")
    lines += ["", "![metrics by profile](metrics.png)", ""]
    if tests:
        lines += [
            f"## Against `{tests[0]['a']}`: paired randomisation test",
            "",
            "Mean difference per metric over the same queries, and its two-sided p-value "
            "(sign-flip randomisation; below 0.05 is unlikely to be chance).",
            "",
            "| profile | " + " | ".join(f"Δ {m} (p)" for m in METRICS) + " | queries |",
            "| --- | " + " | ".join("---" for _ in METRICS) + " | --- |",
        ]
        for t in tests:
            cells = " | ".join(f"{t['metrics'][m]['delta']:+.4f} ({t['metrics'][m]['p']:.4f})" for m in METRICS)
            lines.append(f"| {t['b']} | {cells} | {t['queries']} |")
        lines.append("")
    by_name = {r.profile: r for r in results}
    if compare is None and len(results) >= 2:
        compare = (results[0].profile, results[1].profile)
    if compare and compare[0] in by_name and compare[1] in by_name:
        diff = wins_and_losses(by_name[compare[0]], by_name[compare[1]])
        a, b = compare
        lines += [
            f"## `{b}` against `{a}` (nDCG@10 per query)",
            "",
            f"{len(diff['wins'])} queries better with `{b}`, {len(diff['losses'])} worse, {diff['ties']} unchanged.",
            "",
        ]
        for title, rows in (("Wins", diff["wins"]), ("Losses", diff["losses"])):
            lines += [f"### {title}", "", "| qid | query | Δ nDCG@10 |", "| --- | --- | --- |"]
            for qid, delta in rows[:limit]:
                query = queries.get(qid, "").replace("|", "\\|")
                lines.append(f"| {qid} | {query} | {delta:+.3f} |")
            if len(rows) > limit:
                lines.append(f"| … | {len(rows) - limit} more | |")
            lines.append("")
    path = out_dir / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
