"""Evaluation reports: a Markdown page with a metrics table, a plot, and per-query wins and losses."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from search.evaluate import Judgment, ProfileResult, wins_and_losses

METRICS = ("ndcg@10", "mrr@10", "recall@10", "recall@100")


def spread(values: Sequence[float]) -> tuple[float, float, float]:
    """Mean of per-query values and its 95% interval (normal approximation: 1.96 standard errors)."""
    n = len(values)
    if n == 0:
        return 0.0, 0.0, 0.0
    mean = sum(values) / n
    var = sum((v - mean) ** 2 for v in values) / (n - 1) if n > 1 else 0.0
    half = 1.96 * math.sqrt(var / n)
    return mean, mean - half, mean + half


def zoom(lows: Sequence[float], highs: Sequence[float], pad: float = 0.15) -> tuple[float, float]:
    """Y-axis limits around the data (``pad`` of its range on each side), within [0, 1]."""
    lo, hi = min(lows), max(highs)
    margin = max((hi - lo) * pad, 0.01)
    return max(0.0, lo - margin), min(1.0, hi + margin)


def plot_metrics(results: Sequence[ProfileResult], path: Path) -> None:
    """Each profile's mean per metric with its 95% interval (axis zoomed to the data), above the
    per-query distribution (box plots on the full 0-1 scale), saved as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6.4), dpi=110, height_ratios=(3, 2), sharex=True)
    width = 0.8 / max(len(results), 1)
    lows, highs = [], []
    for i, res in enumerate(results):
        xs = [m + (i - (len(results) - 1) / 2) * width for m in range(len(METRICS))]
        per_metric = [[q[m] for q in res.per_query.values()] for m in METRICS]
        stats = [spread(v) for v in per_metric]
        means = [s[0] for s in stats]
        err = [[s[0] - s[1] for s in stats], [s[2] - s[0] for s in stats]]
        line = top.errorbar(xs, means, yerr=err, fmt="o", capsize=3, label=res.profile)
        for x, mean in zip(xs, means, strict=True):
            top.annotate(f"{mean:.3f}", (x, mean), xytext=(4, 0), textcoords="offset points", fontsize=7, va="center")
        lows += [s[1] for s in stats]
        highs += [s[2] for s in stats]
        boxes = bottom.boxplot(per_metric, positions=xs, widths=width * 0.8, patch_artist=True, showfliers=False)
        for box in boxes["boxes"]:
            box.set_facecolor(line[0].get_color())
            box.set_alpha(0.5)
    if lows:
        top.set_ylim(*zoom(lows, highs))
    top.set_ylabel("mean (95% interval)")
    top.set_title("Relevance by profile (axis zoomed to the data)")
    top.legend(loc="best", fontsize=8)
    top.grid(axis="y", alpha=0.3)
    bottom.set_ylim(-0.02, 1.02)
    bottom.set_ylabel("per query")
    bottom.set_xticks(range(len(METRICS)), METRICS)
    bottom.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def comparisons(
    results: Sequence[ProfileResult], baseline: str | None, compare: tuple[str, str] | None
) -> list[tuple[str, str]]:
    """The (a, b) pairs the report compares: ``compare`` when given, else the baseline (the default
    profile, or the first one evaluated) against every other profile."""
    names = [r.profile for r in results]
    if compare is not None:
        return [compare] if compare[0] in names and compare[1] in names else []
    base = baseline if baseline in names else (names[0] if names else None)
    return [(base, other) for other in names if base is not None and other != base]


def write_report(
    results: Sequence[ProfileResult],
    judgments: Sequence[Judgment],
    out_dir: Path,
    source: str,
    compare: tuple[str, str] | None = None,
    limit: int = 25,
    baseline: str | None = None,
    tests: Sequence[dict[str, Any]] = (),
) -> Path:
    """Write ``report.md`` and ``metrics.png`` into ``out_dir``; return the Markdown path.

    Wins and losses (nDCG@10 per query) compare ``baseline`` (the default profile; the first
    result when absent) against each other profile, or only ``compare`` when given.
    """
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
    for a, b in comparisons(results, baseline, compare):
        diff = wins_and_losses(by_name[a], by_name[b])
        lines += [
            f"## `{b}` against `{a}` (nDCG@10 per query)",
            "",
            f"{len(diff['wins'])} queries better with `{b}`, {len(diff['losses'])} worse, {diff['ties']} unchanged.",
            "",
        ]
        for title, rows in (("Wins", diff["wins"]), ("Losses", diff["losses"])):
            lines += [f"### {title} of `{b}`", "", "| qid | query | Δ nDCG@10 |", "| --- | --- | --- |"]
            for qid, delta in rows[:limit]:
                query = queries.get(qid, "").replace("|", "\\|")
                lines.append(f"| {qid} | {query} | {delta:+.3f} |")
            if len(rows) > limit:
                lines.append(f"| … | {len(rows) - limit} more | |")
            lines.append("")
    path = out_dir / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
