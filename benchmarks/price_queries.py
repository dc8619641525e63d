"""Judged price-limited queries over the sample catalog: writes ``benchmarks/price_judgments.tsv``.

    python -m benchmarks.price_queries            # (re)write the judgments
    search eval benchmarks/price_judgments.tsv --data-dir /tmp/dsample --profile hybrid

Each query names a kind of product and a price limit, phrased the ways shoppers write them
(不超过80块, 50元以内, 预算3000以内, 不到300). A product is judged by its listing:

* grade 2: the kind (its category leaf, or its title when it has no category) and a listed
  price inside the limit (以内/以下/不超过 are inclusive, 不到 is strict);
* grade 1: the kind without a listed price (it may be in range: the shopper would look);
* anything else is not relevant (a wrong kind, or a listed price outside the limit).
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "sample" / "catalog.jsonl"
OUT = Path(__file__).resolve().parent / "price_judgments.tsv"

#: (qid, query, kind, upper limit, limit inclusive)
QUERIES = [
    ("pq-01", "不超过100块的面霜", "面霜", 100.0, True),
    ("pq-02", "洗面奶 50元以内", "洗面奶", 50.0, True),
    ("pq-03", "预算3000以内的手机", "手机", 3000.0, True),
    ("pq-04", "500块以下的跑步鞋", "跑步鞋", 500.0, True),
    ("pq-05", "电饭煲 不到300", "电饭煲", 300.0, False),
    ("pq-06", "200元以下的耳机", "耳机", 200.0, True),
    ("pq-07", "口红 150块以内", "口红", 150.0, True),
    ("pq-08", "猫粮100元以下", "猫粮", 100.0, True),
    ("pq-09", "洗发水不超过60块", "洗发水", 60.0, True),
    ("pq-10", "80元以内的防晒霜", "防晒霜", 80.0, True),
    ("pq-11", "t恤 50元以下", "T恤", 50.0, True),
    ("pq-12", "100以内的咖啡", "咖啡", 100.0, True),
]


def judge() -> list[tuple[str, str, str, int]]:
    """(qid, query, product id, grade) for every relevant product of every query."""
    products = [json.loads(line) for line in CATALOG.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = []
    for qid, query, kind, limit, inclusive in QUERIES:
        for p in products:
            category = p.get("category")
            on_topic = category.rsplit("/", 1)[-1] == kind if category else kind.lower() in p["title"].lower()
            if not on_topic:
                continue
            price = p.get("price")
            if price is None:
                rows.append((qid, query, p["id"], 1))
            elif price < limit or (inclusive and price == limit):
                rows.append((qid, query, p["id"], 2))
    return rows


def main() -> int:
    rows = judge()
    OUT.write_text(
        "qid\tquery\tproduct_id\tgrade\n" + "".join(f"{q}\t{t}\t{p}\t{g}\n" for q, t, p, g in rows), encoding="utf-8"
    )
    print(f"{len(rows)} judgments for {len(QUERIES)} queries -> {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
