"""``/products/{id}`` serves records an older build stored with values the catalog checks now reject."""

from __future__ import annotations

import math

import pytest

from search.product import MAX_SALES, servable

OLD = {"id": "S00111", "title": "旧索引里的商品", "brand": "olay", "category": "美妆/面霜", "attributes": {"容量": 50}}


@pytest.mark.parametrize(
    ("price", "sales", "served_price", "served_sales"),
    [
        (99.0, 1e30, 99.0, None),
        (math.inf, 12, None, 12),
        (math.nan, math.nan, None, None),
        (-5.0, -1, None, None),
        (1e30, float(MAX_SALES), None, MAX_SALES),
        ("99", True, None, None),
    ],
)
def test_out_of_range_numbers_are_served_as_unknown(price, sales, served_price, served_sales):
    record = servable({**OLD, "price": price, "sales": sales})
    assert record["price"] == served_price and record["sales"] == served_sales
    assert record["attributes"] == {"容量": "50"}


def test_the_product_route_answers_for_a_record_with_huge_sales(client, engine, monkeypatch):
    real = engine.product
    monkeypatch.setattr(
        engine, "product", lambda pid: {**OLD, "price": math.inf, "sales": 1e30} if pid == "old" else real(pid)
    )
    res = client.get("/products/old")
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["sales"] is None and body["price"] is None and body["title"] == OLD["title"]
    assert body["attributes"] == {"容量": "50"}
    assert client.get("/products/S00111").json()["id"] == "S00111"  # real records unchanged
