import json

import pytest

from indexer.catalog import CatalogError, read_catalog

GOOD = {
    "id": "A1",
    "title": "兰芝雪纱隔离霜 30ml",
    "brand": "Laneige/兰芝",
    "category": "美妆护肤/隔离霜",
    "price": 199.0,
}


def _jsonl(path, lines):
    path.write_bytes(b"".join((x if isinstance(x, bytes) else x.encode("utf-8")) + b"\n" for x in lines))
    return path


def test_bad_jsonl_rows_are_rejected_with_line_and_reason_and_the_rest_kept(tmp_path):
    lines = [
        json.dumps(GOOD, ensure_ascii=False),
        json.dumps({"title": "没有编号的商品"}, ensure_ascii=False),  # 2: missing id
        json.dumps({"id": "A3"}),  # 3: missing title
        json.dumps({"id": "A4", "title": "负价格", "price": -5}, ensure_ascii=False),  # 4
        json.dumps({"id": "A5", "title": "价格不是数字", "price": "abc"}, ensure_ascii=False),  # 5
        '{"id": "A6", "title": "坏的 JSON"',  # 6
        b'{"id": "A7", "title": "\xff\xfe broken utf-8"}',  # 7
        json.dumps({"id": "A1", "title": "重复编号"}, ensure_ascii=False),  # 8: duplicate
        "",  # blank lines are not rows
        json.dumps({"id": "A9", "title": "好商品", "sales": 12.0, "color": "红色", "tags": ["x"]}, ensure_ascii=False),
        "[1, 2]",  # 11: not an object
        json.dumps({"id": "A12", "title": "   "}),  # 12: blank title
        json.dumps({"id": "A13", "title": "属性不是对象", "attributes": [1]}, ensure_ascii=False),  # 13
        json.dumps({"id": "A14", "title": "销量是小数", "sales": 1.5}, ensure_ascii=False),  # 14
    ]
    cat = read_catalog(_jsonl(tmp_path / "c.jsonl", lines))
    assert [p.id for p in cat.products] == ["A1", "A9"]
    reasons = {r.line: r.reason for r in cat.rejects}
    assert set(reasons) == {2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 14}
    assert "id" in reasons[2] and "title" in reasons[3]
    assert "negative" in reasons[4] and "not a number" in reasons[5]
    assert "invalid JSON" in reasons[6] and "UTF-8" in reasons[7]
    assert "duplicate id 'A1'" in reasons[8] and "line 1" in reasons[8]
    assert "whole number" in reasons[14]
    assert cat.rows == 13
    # unknown scalar fields are kept as attributes, other unknown fields counted as ignored
    assert cat.products[1].attributes == {"color": "红色"}
    assert cat.ignored_fields == {"tags": 1}
    out = cat.write_rejects(tmp_path / "rejects")
    written = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [w["line"] for w in written] == sorted(reasons)


def test_brand_falls_back_to_the_brand_attribute(tmp_path):
    row = {"id": "B1", "title": "山水音箱", "attributes": {"品牌": "Sansui/山水", "型号": "U3"}}
    cat = read_catalog(_jsonl(tmp_path / "c.jsonl", [json.dumps(row, ensure_ascii=False)]))
    assert cat.products[0].brand == "Sansui/山水"


def test_csv_catalog(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(
        "id,title,brand,price,sales,attributes,attr:颜色\n"
        'C1,华为手机 Mate60,华为,5999,100,"{""产地"": ""中国""}",黑色\n'
        ",无编号,,,,,\n"
        "C3,小米手机,小米,abc,,,\n"
        'C4,"多,余",x,1,2,{},红,extra\n'
        "C5,荣耀手机,,,,,\n",
        encoding="utf-8",
    )
    cat = read_catalog(path)
    assert [p.id for p in cat.products] == ["C1", "C5"]
    c1 = cat.products[0]
    assert c1.price == 5999.0 and c1.sales == 100 and c1.attributes == {"颜色": "黑色", "产地": "中国"}
    assert sorted(r.line for r in cat.rejects) == [3, 4, 5]


def test_csv_without_required_columns_is_an_error(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("sku,name\n1,x\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="id, title"):
        read_catalog(path)


def test_parquet_catalog(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "id": ["P1", "P2", None],
            "title": ["飞利浦电动牙刷", "", "无编号"],
            "price": [299.0, 10.0, 1.0],
            "attributes": [[("颜色", "白色")], [], []],
        },
        schema=pa.schema(
            [
                ("id", pa.string()),
                ("title", pa.string()),
                ("price", pa.float64()),
                ("attributes", pa.map_(pa.string(), pa.string())),
            ]
        ),
    )
    path = tmp_path / "c.parquet"
    pq.write_table(table, path)
    cat = read_catalog(path)
    assert [p.id for p in cat.products] == ["P1"]
    assert cat.products[0].attributes == {"颜色": "白色"}
    assert sorted(r.line for r in cat.rejects) == [2, 3]


def test_unknown_format_and_missing_file(tmp_path):
    with pytest.raises(CatalogError, match="unknown catalog format"):
        read_catalog(_jsonl(tmp_path / "c.xml", ["x"]))
    with pytest.raises(CatalogError, match="not found"):
        read_catalog(tmp_path / "nope.jsonl")


def test_sample_catalog_has_no_rejects(sample_catalog):
    cat = read_catalog(sample_catalog)
    assert not cat.rejects and len(cat.products) >= 300


def test_ids_whose_store_keys_collide_are_rejected(tmp_path, monkeypatch):
    """Two ids that hash to the same point key would overwrite each other: the second is rejected."""
    import indexer.catalog as catalog_module

    monkeypatch.setattr(catalog_module, "point_key", lambda pid: len(pid))  # force collisions
    path = tmp_path / "c.jsonl"
    rows = [{"id": "A1", "title": "兰芝隔离霜"}, {"id": "B2", "title": "雪花秀精华"}, {"id": "C345", "title": "面膜"}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    cat = read_catalog(path)
    assert [p.id for p in cat.products] == ["A1", "C345"]
    assert [(r.line, r.id) for r in cat.rejects] == [(2, "B2")]
    assert "same store key as 'A1' (line 1)" in cat.rejects[0].reason
