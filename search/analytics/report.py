"""The analytics report: ``report.md`` and ``report.html`` with three plots (matplotlib).

Plots: search volume per day (with zero-result and clicked searches), click-through by
position, and the most frequent zero-result queries. Queries are shopper text: the HTML
escapes every one of them.
"""

from __future__ import annotations

import html
import warnings
from pathlib import Path
from typing import Any

#: fonts with Chinese glyphs tried first (Debian: fonts-wqy-microhei / fonts-noto-cjk); others fall back
CJK_FONTS = ["WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "SimHei", "DejaVu Sans"]
CJK_FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)
_REGISTERED: set[str] = set()
PLOTS = {
    "volume.png": "Searches per day",
    "ctr_by_position.png": "Click-through by position",
    "zero_results.png": "Top zero-result queries",
}


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    for path in CJK_FONT_FILES:  # not always in matplotlib's font cache: register them by path
        if Path(path).exists() and path not in _REGISTERED:
            font_manager.fontManager.addfont(path)
            _REGISTERED.add(path)
    plt.rcParams["font.sans-serif"] = CJK_FONTS
    plt.rcParams["axes.unicode_minus"] = False
    return plt


def _save(fig: Any, path: Path) -> None:
    with warnings.catch_warnings():  # a machine without a CJK font draws boxes rather than failing
        warnings.simplefilter("ignore", UserWarning)
        fig.tight_layout()
        fig.savefig(path)


def plot_all(doc: dict[str, Any], out_dir: Path) -> None:
    """Write the three plots into ``out_dir``."""
    plt = _pyplot()
    days = doc["per_day"]
    fig, ax = plt.subplots(figsize=(8, 3.6), dpi=110)
    x = [d["day"] for d in days]
    ax.plot(x, [d["searches"] for d in days], marker="o", label="searches")
    ax.plot(x, [d["clicked"] for d in days], marker="o", label="with a click")
    ax.plot(x, [d["zero_result"] for d in days], marker="o", label="zero results")
    ax.set_ylabel("searches")
    ax.set_title(PLOTS["volume.png"])
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    if len(x) > 8:
        ax.tick_params(axis="x", labelrotation=45, labelsize=7)
    _save(fig, out_dir / "volume.png")
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(8, 3.6), dpi=110)
    positions = doc["positions"]
    bars = ax.bar([p["position"] for p in positions], [p["ctr"] for p in positions])
    ax.bar_label(bars, fmt="%.3f", fontsize=7, padding=1)
    ax.set_xticks([p["position"] for p in positions])
    ax.set_xlabel("position")
    ax.set_ylabel("CTR (clicked / shown)")
    ax.set_title(PLOTS["ctr_by_position.png"])
    ax.grid(axis="y", alpha=0.3)
    _save(fig, out_dir / "ctr_by_position.png")
    plt.close(fig)

    zero = doc["zero_result_queries"][:15]
    fig, ax = plt.subplots(figsize=(8, max(2.0, 0.35 * len(zero) + 1)), dpi=110)
    ax.barh([z["query"] for z in reversed(zero)], [z["count"] for z in reversed(zero)])
    ax.set_xlabel("searches")
    ax.set_title(PLOTS["zero_results.png"])
    ax.grid(axis="x", alpha=0.3)
    _save(fig, out_dir / "zero_results.png")
    plt.close(fig)


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _tables(doc: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) of each table, shared by the Markdown and the HTML."""
    variants = [
        [
            str(v["variant"] or "-"),
            v["profile"],
            str(v["searches"]),
            f"{_pct(v['ctr'])} [{_pct(v['ctr_ci'][0])}, {_pct(v['ctr_ci'][1])}]",
            f"{_pct(v['conversion'])} [{_pct(v['conversion_ci'][0])}, {_pct(v['conversion_ci'][1])}]",
            "" if v.get("ctr_p_vs_first") is None else f"{v['ctr_p_vs_first']:.4f}",
        ]
        for v in doc["variants"]
    ]
    return [
        (
            "Top queries",
            ["query", "searches", "CTR", "conversion", "zero-result"],
            [
                [q["query"], str(q["count"]), _pct(q["ctr"]), _pct(q["conversion"]), str(q["zero_result"])]
                for q in doc["top_queries"]
            ],
        ),
        (
            "Zero-result queries",
            ["query", "searches"],
            [[z["query"], str(z["count"])] for z in doc["zero_result_queries"]],
        ),
        (
            "Searched often, never clicked",
            ["query", "searches"],
            [[q["query"], str(q["count"])] for q in doc["no_click_queries"]],
        ),
        (
            "Click-through by position",
            ["position", "shown", "clicks", "CTR"],
            [[str(p["position"]), str(p["shown"]), str(p["clicks"]), _pct(p["ctr"])] for p in doc["positions"]],
        ),
        (
            "Suggestions",
            ["source", "searches", "CTR", "conversion"],
            [
                [s["source"], str(s["searches"]), _pct(s["ctr"]), _pct(s["conversion"])]
                for s in doc["suggestions"]["by_source"]
            ],
        ),
        (
            "Variants (95% Wilson intervals)",
            ["variant", "profile", "searches", "CTR", "conversion", "p (CTR vs first)"],
            variants,
        ),
    ]


def _summary_line(doc: dict[str, Any]) -> str:
    took = f", mean engine time {doc['mean_took_ms']:.1f} ms" if doc["mean_took_ms"] is not None else ""
    return (
        f"{doc['searches']} searches by {doc['shoppers']} identified shoppers in the last {doc['days']:g} days: "
        f"CTR {_pct(doc['ctr'])}, conversion {_pct(doc['conversion'])}, "
        f"zero results {_pct(doc['zero_result_rate'])}{took}."
    )


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def write_report(doc: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """Write ``report.md``, ``report.html`` and the plots; returns the two report paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    plot_all(doc, out_dir)
    md = ["# Search analytics", "", _summary_line(doc), ""]
    page = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Search analytics</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}img{max-width:100%}</style></head><body>",
        "<h1>Search analytics</h1>",
        f"<p>{html.escape(_summary_line(doc))}</p>",
    ]
    for name, title in PLOTS.items():
        md += [f"![{title}]({name})", ""]
        page.append(f"<h2>{html.escape(title)}</h2><img src='{name}' alt='{html.escape(title)}'>")
    for title, header, rows in _tables(doc):
        md += [f"## {title}", "", "| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
        md += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows] or [
            "| (none) |" + " |" * (len(header) - 1)
        ]
        md.append("")
        page.append(f"<h2>{html.escape(title)}</h2><table><tr>")
        page.append("".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>")
        for row in rows:
            page.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>")
        page.append("</table>")
    page.append("</body></html>")
    md_path, html_path = out_dir / "report.md", out_dir / "report.html"
    md_path.write_text("\n".join(md) + "\n", encoding="utf-8")
    html_path.write_text("\n".join(page) + "\n", encoding="utf-8")
    return md_path, html_path
