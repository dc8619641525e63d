#!/usr/bin/env python3
"""Generate the project's synthetic sample data set (``sample/``).

Everything here is hand-written for this project: brands, product lines,
product words, attributes, title patterns and price ranges are templates, and
the catalog, relevance judgments, simulated shopper events and
personalization sessions are derived from them with a seeded
``random.Random``.  No network, standard library only.  Running

    python scripts/make_sample_data.py

from the repository root rewrites these files byte-identically:

    sample/catalog.jsonl     products
    sample/judgments.tsv     graded relevance judgments for 58 queries
    sample/events.jsonl      simulated view/click/cart/purchase events
    sample/sessions.jsonl    personalization sessions (hidden favourite brands)

The templates (brands, product kinds and lines, title vocabulary) are data
files in ``scripts/sample/``; this script holds the rules that turn them into
listings, judgments and behaviour.  It then runs a self-check (ids unique and resolvable, prices positive, JSON
parses, every catalog brand listed in configs/dictionaries/brands.tsv, every
product word in configs/dictionaries/product_words.txt, >= 5 queries per
judgment kind).  ``--check`` runs only the self-check; ``--show QID`` prints the
judged products for one query, for reviewing the judgments by eye.

Relevance is computed from the structured facts each listing is generated
from (brand, kind, origin, price, audience, efficacy, material, model), never
typed by hand, so it stays complete when the templates change.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = ROOT / "sample"
DICT_DIR = ROOT / "configs" / "dictionaries"
SEED = 20261031
CN = "中国大陆"

# ---------------------------------------------------------------------------
# The templates live in data files next to this script (scripts/sample/):
#
# brands.json      key -> [canonical name as the brand field shows it, home
#                  country, [extra ways titles write it]].  Titles also use the
#                  Chinese part, the English part and a lowercase form derived
#                  from the canonical name.
# kinds.json       product kinds (leaf categories) and their lines:
#   key, cat       the kind and its category path
#   style          title/attribute style (beauty, goods, tech, appliance, apparel)
#   words          product words titles use (line "word" overrides)
#   spec_key       attribute key for the size/spec value
#   pts            neutral selling points (never words the judgments test on)
#   default_ppl, seasons, sizes, colors   apparel and shoe options
#   lines          one object per product line: brand, series, price [lo, hi],
#     and options word, spec, specs {spec: list price}, colors, o (origin),
#     eff (efficacy), skin, ppl (audience), mat (material), model, malts (model
#     spellings), compat (phone model a case fits), tags, n (generated listings),
#     titles (hand-written listings: a title, or [title, {facts}]), dup (all
#     listings are one product sold by different shops), stage, visc, extra_pts.
# vocabulary.json  title and attribute vocabulary: efficacy, skin, material,
#                  audience, stage and compatibility phrases, promotions, origin
#                  phrases and the title patterns of each style.
# ---------------------------------------------------------------------------
TABLES = Path(__file__).resolve().parent / "sample"


def _read(name: str):
    with open(TABLES / name, encoding="utf-8") as fh:
        return json.load(fh)


def _line(line: dict) -> dict:
    """A product line as the generator uses it: price and hand-written titles with facts as tuples."""
    out = dict(line)
    if out["price"] is not None:
        out["price"] = tuple(out["price"])
    if "titles" in out:
        out["titles"] = [t if isinstance(t, str) else tuple(t) for t in out["titles"]]
    return out


BRANDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    key: (name, country, tuple(aliases)) for key, (name, country, aliases) in _read("brands.json").items()
}
KINDS: list[dict] = [{**kind, "lines": [_line(x) for x in kind["lines"]]} for kind in _read("kinds.json")]
_VOCABULARY = _read("vocabulary.json")
EFFECT_PHRASES: dict[str, list[str]] = _VOCABULARY["effect_phrases"]
SKIN_PHRASES: dict[str, list[str]] = _VOCABULARY["skin_phrases"]
SKIN_ATTR: dict[str, str] = _VOCABULARY["skin_attr"]
MAT_TEXT: dict[str, list[str]] = _VOCABULARY["mat_text"]
# what counts as "the listing says so" when deciding grade 2 vs 1
MAT_SYNONYMS: dict[str, list[str]] = _VOCABULARY["mat_synonyms"]
PPL_TEXT: dict[str, dict[str, list[str]]] = _VOCABULARY["ppl_text"]
STAGE_AGE: dict[str, str] = _VOCABULARY["stage_age"]
COMPAT_TEXT: dict[str, list[str]] = _VOCABULARY["compat_text"]
PROMOS: list[str] = _VOCABULARY["promos"]
STYLE_PROMOS: dict[str, list[str]] = _VOCABULARY["style_promos"]
ORIGIN_PHRASES: list[str] = _VOCABULARY["origin_phrases"]
PATTERNS: dict[str, list[str]] = _VOCABULARY["patterns"]
# prices never land exactly on a limit used by the price judgments
PRICE_LIMITS = {100, 200, 300, 500, 600, 800, 1000, 2000, 5000, 7000}
HAN = re.compile(r"[\u4e00-\u9fff]")
EXTRA_LISTING = 0.6  # chance that a line gets one more listing than its "n"
# attributes never dropped at random (only when a listing has no attributes at all)
KEEP_ATTRS = {"产地", "材质", "适用人群"}


def brand_parts(key: str) -> tuple[str, str | None, str | None, tuple[str, ...]]:
    canon, _country, alts = BRANDS[key]
    if "/" in canon:
        en, zh = canon.split("/", 1)
        return canon, en, zh, alts
    if HAN.search(canon):
        return canon, None, canon, alts
    return canon, canon, None, alts


def weighted(rng: random.Random, options: list[tuple[str, int]]) -> str:
    total = sum(w for _, w in options)
    r = rng.random() * total
    for value, w in options:
        r -= w
        if r < 0:
            return value
    return options[-1][0]


def brand_mention(rng: random.Random, key: str | None) -> str:
    """How one listing names its brand: canonical, Chinese, English, lowercase, run together, alias."""
    if key is None:
        return ""
    canon, en, zh, alts = brand_parts(key)
    options = [(canon, 4)]
    if en and zh:
        if len(zh) >= 2:
            options.append((zh, 4))
        options += [(en, 1), (f"{en.lower()}/{zh}", 1), (f"{en.upper()}{zh}", 1)]
    elif en and en.lower() != en:
        options.append((en.lower(), 1))
    options += [(a, 1) for a in alts]
    return weighted(rng, options)


def nice_round(rng: random.Random, x: float) -> float:
    """Shop-style price near x: 19.9, 49, 268, 1299, 5999 ..."""
    if x < 40:
        v = math.floor(x) + 0.9
    elif x < 1000:
        v = math.floor(x / 10) * 10 + rng.choice([9, 9, 8, 5])
    else:
        v = math.floor(x / 100) * 100 + rng.choice([99, 99, 49])
    if v in PRICE_LIMITS:
        v -= 1
    return round(float(v), 2)


def nice_price(rng: random.Random, lo: float, hi: float) -> float:
    return nice_round(rng, rng.uniform(lo, hi))


def list_price(rng: random.Random, base: float) -> float:
    v = base - rng.choice([0, 0, 0, 100, 200, 300, 500])
    if v in PRICE_LIMITS:
        v -= 1
    return float(v)


def article_code(rng: random.Random, brand: str | None) -> str:
    if brand == "nike":
        return f"DV{rng.randint(1000, 9999)}-{rng.randint(0, 999):03d}"
    if brand == "adidas":
        return f"I{rng.choice('DEFGH')}{rng.randint(1000, 9999)}"
    if brand == "uniqlo":
        return f"{rng.randint(440000, 479999)}"
    letters = "ABCDEFGHJKLMNPQRSTWXYZ"
    return f"{rng.choice(letters)}{rng.choice(letters)}{rng.randint(20000, 99999)}"


def sales_for(rng: random.Random, price: float, brand: str | None) -> int:
    base = rng.lognormvariate(4.6, 1.5)
    if price > 3000:
        base /= 3
    elif price > 1000:
        base /= 1.8
    if brand is None:
        base *= 0.6
    if rng.random() < 0.04:
        return 0
    return min(int(base), 250000)


# ---------------------------------------------------------------------------
# Catalog
# ---------------------------------------------------------------------------
def listing_points(rng: random.Random, kind: dict, line: dict, f: dict) -> list[str]:
    pts: list[str] = []
    if f["color"] and kind["style"] == "beauty" and kind["key"] != "口红":
        pts.append(f["color"])
    effects = list(f["eff"])
    if len(effects) > 2:
        effects = rng.sample(effects, 2)
    pts += [rng.choice(EFFECT_PHRASES[e]) for e in effects]
    for s in f["skin"]:
        if s in SKIN_PHRASES and rng.random() < 0.6:
            pts.append(rng.choice(SKIN_PHRASES[s]))
    pts += line.get("extra_pts", [])
    pts += rng.sample(kind["pts"], k=rng.randint(1, 2))
    if kind["key"] not in f["word"] and rng.random() < 0.6:
        pts.append(kind["key"])
    seen: list[str] = []
    for p in pts:
        if p not in seen:
            seen.append(p)
    return seen


def model_text(rng: random.Random, line: dict, f: dict, j: int) -> str:
    if f["compat"]:
        return "适用" + rng.choice(COMPAT_TEXT[f["compat"]])
    if f["visc"]:
        return f["visc"]
    if not f["model"]:
        return ""
    alts = line.get("malts")
    if alts and j > 0:
        return rng.choice(alts)
    return f["model"]


def make_title(rng: random.Random, kind: dict, line: dict, f: dict, j: int) -> str:
    style = kind["style"]
    promo = ""
    if rng.random() < 0.3:
        promo = rng.choice(PROMOS + STYLE_PROMOS[style])
    if f["brand"] is None and rng.random() < 0.4:
        promo = rng.choice(["【厂家直销】", "【工厂店】", "【特价】"])
    origin = ""
    if style in ("beauty", "goods") and f["origin"] != CN and rng.random() < 0.35:
        origin = rng.choice(ORIGIN_PHRASES).format(o=f["origin"])
    ppl = ""
    if style == "apparel" and f["ppl"] and (f["ppl"] != kind.get("default_ppl") or rng.random() < 0.8):
        table = PPL_TEXT.get(kind["key"], PPL_TEXT["default"])
        ppl = rng.choice(table[f["ppl"]])
    mat = ""
    if f["mat"] and rng.random() < 0.85:
        mat = rng.choice(MAT_TEXT[f["mat"]])
    spec = f["spec"] or ""
    if kind["key"] == "口红":
        spec = f["color"] if f["color"].startswith("#") else f"#{f['color']}"
    pts = listing_points(rng, kind, line, f)
    code = line["_code"] if line.get("_code") and rng.random() < 0.5 else ""
    parts = dict(
        promo=promo,
        brand=brand_mention(rng, f["brand"]),
        series=f["series"],
        word=f["word"],
        spec=spec,
        pts=" ".join(pts),
        pts2="".join(pts),
        origin=origin,
        model=model_text(rng, line, f, j),
        color=f["color"] or "",
        ppl=ppl,
        mat=mat,
        season=rng.choice(kind.get("seasons", [""])),
        code=code,
    )
    series, model = parts["series"], parts["model"]
    gap = " " if series and model and series[-1].isascii() and model[0].isascii() else ""
    parts["sm"] = f"{series}{gap}{model}"
    return fill(rng.choice(PATTERNS[style]), parts)


def fill(pattern: str, parts: dict[str, str]) -> str:
    """Format a title pattern; two Latin/digit runs keep a space (``vivo S18``, not ``vivoS18``)."""
    pieces = [parts[name] if name else text for name, text in re.findall(r"\{(\w+)\}|([^{]+)", pattern)]
    out = ""
    for piece in pieces:
        if out and piece and out[-1].isascii() and out[-1].isalnum() and piece[0].isascii() and piece[0].isalnum():
            out += " "
        out += piece
    return re.sub(r"\s+", " ", out).strip()


def make_attributes(rng: random.Random, kind: dict, line: dict, f: dict) -> dict[str, str]:
    style = kind["style"]
    sk = kind.get("spec_key", "规格")
    a: dict[str, str] = {}
    if style in ("beauty", "goods"):
        if f["spec"]:
            a[sk] = f["spec"]
        if f["color"]:
            a["色号" if kind["key"] == "口红" else "颜色"] = f["color"]
        if f["eff"]:
            a["功效"] = " ".join(f["eff"])
        if style == "beauty" and kind["key"] != "口红":
            if f["skin"]:
                a["适合肤质"] = " ".join(SKIN_ATTR[s] for s in f["skin"])
            elif rng.random() < 0.4:
                a["适合肤质"] = "任何肤质"
        if f["ppl"]:
            a["适用人群"] = f["ppl"]
        if f["mat"]:
            a["材质"] = f["mat"]
        if f["stage"]:
            a["段数"] = f["stage"]
            a["适用年龄"] = STAGE_AGE[f["stage"]]
        if rng.random() < 0.85:
            a["产地"] = f["origin"]
    elif style == "tech":
        if f["model"]:
            a["型号"] = f["model"]
        if f["compat"]:
            a[sk] = f["compat"]
        elif f["spec"]:
            a[sk] = f["spec"]
        if f["color"]:
            a["颜色"] = f["color"]
    elif style == "appliance":
        if f["model"]:
            a["型号"] = f["model"]
        if f["visc"]:
            a["粘度"] = f["visc"]
        if f["spec"]:
            a[sk] = f["spec"]
        if f["ppl"]:
            a["适用人群"] = f["ppl"]
        if line.get("o"):
            a["产地"] = f["origin"]
    else:  # apparel
        if f["mat"]:
            a["填充物" if kind["key"] == "羽绒服" else "材质"] = f["mat"]
        if f["ppl"]:
            a["适用人群"] = f["ppl"]
        a["尺码"] = " ".join(kind["sizes"])
        if f["color"]:
            a["颜色"] = f["color"]
        if f["model"]:
            a["型号"] = f["model"]
        if line.get("_code"):
            a["货号"] = line["_code"]
    for key in list(a):  # listings fill in some optional fields and skip others
        if key not in KEEP_ATTRS and len(a) > 1 and rng.random() < 0.15:
            del a[key]
    if rng.random() < 0.07:
        return {}
    return a


def build_catalog(rng: random.Random) -> tuple[list[dict], list[dict]]:
    """Return (records, facts), aligned by position; facts hold the hidden truth."""
    pairs: list[tuple[dict, dict]] = []
    for kind in KINDS:
        words = kind.get("words", [kind["key"]])
        for li, line in enumerate(kind["lines"]):
            brand = line["brand"]
            if kind["style"] == "apparel":
                line["_code"] = article_code(rng, brand)
            origin = line.get("o") or (BRANDS[brand][1] if brand else CN)
            explicit = [t if isinstance(t, tuple) else (t, {}) for t in line.get("titles", [])]
            n = line.get("n", 1)
            if n and rng.random() < EXTRA_LISTING:
                n += 1  # another shop or SKU of the same line
            dup = bool(line.get("dup"))
            specs = list(line["specs"]) if "specs" in line else [line.get("spec")]
            colors = line.get("colors")
            dup_price = None
            for j in range(len(explicit) + n):
                over = explicit[j][1] if j < len(explicit) else {}
                spec = over.get("spec", specs[0] if dup else specs[j % len(specs)])
                if "color" in over:
                    color = over["color"]
                elif colors:
                    color = colors[0] if dup else colors[j % len(colors)]
                elif kind.get("colors"):
                    color = rng.choice(kind["colors"])
                else:
                    color = None
                if "specs" in line:
                    price = list_price(rng, line["specs"][spec])
                elif dup and dup_price is not None:
                    price = nice_round(rng, dup_price * rng.uniform(0.92, 1.06))
                else:
                    price = nice_price(rng, *line["price"])
                    dup_price = price
                f = {
                    "kind": kind["key"],
                    "cat": kind["cat"],
                    "brand": brand,
                    "series": line["series"],
                    "word": line.get("word") or rng.choice(words),
                    "model": line.get("model"),
                    "origin": origin,
                    "ppl": line.get("ppl") or kind.get("default_ppl"),
                    "eff": line.get("eff", "").split(),
                    "skin": line.get("skin", "").split(),
                    "mat": line.get("mat"),
                    "spec": spec,
                    "color": color,
                    "compat": line.get("compat"),
                    "tags": list(line.get("tags", [])),
                    "stage": line.get("stage"),
                    "visc": line.get("visc"),
                    "line": f"{kind['key']}#{li}",
                    "dup": f"{kind['key']}#{li}" if dup else None,
                    "price": price,
                }
                title = explicit[j][0] if j < len(explicit) else make_title(rng, kind, line, f, j)
                record = {
                    "id": "",
                    "title": title,
                    "brand": BRANDS[brand][0] if brand else None,
                    "category": kind["cat"],
                    "attributes": make_attributes(rng, kind, line, f),
                    "price": price,
                    "sales": sales_for(rng, price, brand),
                }
                pairs.append((record, f))
    # real catalogs have gaps: brand, price+sales, category missing on some listings
    for record, _f in pairs:
        if record["brand"] is not None and rng.random() < 0.045:
            record["brand"] = None
        if rng.random() < 0.10:
            record["price"] = None
            record["sales"] = None
        if rng.random() < 0.10:
            record["category"] = None
    rng.shuffle(pairs)
    records, facts = [], []
    for i, (record, f) in enumerate(pairs, start=1):
        record["id"] = f"S{i:05d}"
        f["id"] = record["id"]
        f["price"] = record["price"]
        records.append(record)
        facts.append(f)
    return records, facts


# ---------------------------------------------------------------------------
# Relevance judgments: each query is a grading function over (facts, record).
# 2 = exactly what was asked, 1 = acceptable, 0 = not relevant (not written).
# ---------------------------------------------------------------------------
def origin_stated(f: dict, r: dict) -> bool:
    return f["origin"] in r["title"] or r["attributes"].get("产地") == f["origin"]


def material_stated(f: dict, r: dict) -> bool:
    words = MAT_SYNONYMS.get(f["mat"], [f["mat"]])
    return any(w in r["title"] for w in words) or f["mat"] in r["attributes"].values()


def brand_kind(brand: str, kind: str):
    return lambda f, r: 2 if f["brand"] == brand and f["kind"] == kind else 0


def of_kind(kind: str):
    return lambda f, r: 2 if f["kind"] == kind else 0


def price_in(kind: str, lo: float | None = None, hi: float | None = None, strict_hi: bool = False):
    def grade(f: dict, r: dict) -> int:
        p = f["price"]
        if f["kind"] != kind or p is None:
            return 0
        if lo is not None and p < lo:
            return 0
        if hi is not None and (p >= hi if strict_hi else p > hi):
            return 0
        return 2

    return grade


def diapers(f: dict, r: dict) -> int:
    if f["kind"] != "纸尿裤":
        return 0
    return 2 if f["word"] == "纸尿裤" else 1  # pull-ups (拉拉裤) are an acceptable substitute


def iphone_pro_max(f: dict, r: dict) -> int:
    if f["kind"] != "手机":
        return 0
    return {"iPhone 15 Pro Max": 2, "iPhone 15 Pro": 1}.get(f["model"], 0)


def excluded_origin(kind: str, keep) -> object:
    def grade(f: dict, r: dict) -> int:
        if f["kind"] != kind or not keep(f["origin"]):
            return 0
        return 2 if origin_stated(f, r) else 1

    return grade


QUERIES: list[tuple[str, str, object]] = [
    # brand names: Chinese, English, mixed case, alias
    ("brand-01", "兰芝隔离霜", brand_kind("laneige", "隔离霜")),
    ("brand-02", "LANEIGE 隔离", brand_kind("laneige", "隔离霜")),
    (
        "brand-03",
        "欧莱雅男士洗面奶",
        lambda f, r: (2 if f["ppl"] == "男士" else 1) if f["brand"] == "loreal" and f["kind"] == "洗面奶" else 0,
    ),
    ("brand-04", "Estee Lauder面霜", brand_kind("esteelauder", "面霜")),
    (
        "brand-05",
        "sk2神仙水",
        lambda f, r: (
            2
            if f["brand"] == "skii" and "神仙水" in f["tags"]
            else (1 if f["brand"] == "skii" and f["kind"] == "精华" else 0)
        ),
    ),
    ("brand-06", "HUAWEI手机", brand_kind("huawei", "手机")),
    ("brand-07", "nike跑步鞋", brand_kind("nike", "跑步鞋")),
    ("brand-08", "皇家猫粮", brand_kind("royalcanin", "猫粮")),
    ("brand-09", "玉兰油面霜", brand_kind("olay", "面霜")),
    ("brand-10", "apple耳机", brand_kind("apple", "耳机")),
    # model numbers
    (
        "model-01",
        "18-55stm",
        lambda f, r: 2 if "lens1855stm" in f["tags"] else (1 if "kit1855stm" in f["tags"] else 0),
    ),
    ("model-02", "p70d20tl-d4", lambda f, r: 2 if f["model"] == "P70D20TL-D4" else 0),
    (
        "model-03",
        "rtx4060",
        lambda f, r: 2 if "gpu4060" in f["tags"] else (1 if {"gpu4060ti", "rtx4060"} & set(f["tags"]) else 0),
    ),
    ("model-04", "iPhone 15 Pro Max", iphone_pro_max),
    ("model-05", "BCD-470WDPG", lambda f, r: 2 if f["model"] == "BCD-470WDPG" else 0),
    (
        "model-06",
        "mate60pro",
        lambda f, r: {"Mate60 Pro": 2, "Mate60": 1}.get(f["model"], 0) if f["kind"] == "手机" else 0,
    ),
    ("model-07", "z62", lambda f, r: 2 if f["model"] == "Z6II" else 0),
    ("model-08", "xr120", lambda f, r: 2 if f["model"] == "XR-120" else 0),
    (
        "model-09",
        "mate60pro手机壳",
        lambda f, r: 2 if f["kind"] == "手机壳" and f["compat"] == "Mate60 Pro" else 0,
    ),
    ("model-10", "5w-30机油", lambda f, r: 2 if f["kind"] == "机油" and f["visc"] == "5W-30" else 0),
    # natural language
    (
        "nl-01",
        "适合油皮的男士洗面奶",
        lambda f, r: (
            (2 if "控油" in f["eff"] or "油皮" in f["skin"] else 1)
            if f["kind"] == "洗面奶" and f["ppl"] == "男士"
            else 0
        ),
    ),
    ("nl-02", "给宝宝用的纸尿裤", diapers),
    ("nl-03", "送女朋友的口红", of_kind("口红")),
    (
        "nl-04",
        "夏天穿的纯棉男士t恤",
        lambda f, r: (2 if material_stated(f, r) else 1) if f["kind"] == "T恤" and f["mat"] == "纯棉" else 0,
    ),
    ("nl-05", "怀孕了能用的面霜", lambda f, r: 2 if f["kind"] == "面霜" and f["ppl"] == "孕妇" else 0),
    ("nl-06", "给家里猫咪买进口猫粮", excluded_origin("猫粮", lambda o: o != CN)),
    (
        "nl-07",
        "打游戏用的笔记本电脑",
        lambda f, r: 2 if f["kind"] == "笔记本电脑" and "gaming" in f["tags"] else 0,
    ),
    (
        "nl-08",
        "能补水保湿的面霜",
        lambda f, r: (2 if {"补水", "保湿"} & set(f["eff"]) else 1) if f["kind"] == "面霜" else 0,
    ),
    (
        "nl-09",
        "敏感肌能用的洗面奶",
        lambda f, r: (2 if "敏感肌" in f["skin"] else 1) if f["kind"] == "洗面奶" else 0,
    ),
    # typos
    ("typo-01", "洗面乃", of_kind("洗面奶")),
    ("typo-02", "隔离双", of_kind("隔离霜")),
    ("typo-03", "兰之隔离霜", brand_kind("laneige", "隔离霜")),
    ("typo-04", "雅诗兰戴面霜", brand_kind("esteelauder", "面霜")),
    ("typo-05", "电饭褒", of_kind("电饭煲")),
    ("typo-06", "纸尿库", diapers),
    ("typo-07", "跑部鞋", of_kind("跑步鞋")),
    ("typo-08", "iphone15 pormax", iphone_pro_max),
    # Traditional characters
    ("trad-01", "蘭芝隔離霜", brand_kind("laneige", "隔离霜")),
    ("trad-02", "資生堂洗面奶", brand_kind("shiseido", "洗面奶")),
    ("trad-03", "華為手機", brand_kind("huawei", "手机")),
    ("trad-04", "電飯煲", of_kind("电饭煲")),
    ("trad-05", "雅詩蘭黛面霜", brand_kind("esteelauder", "面霜")),
    ("trad-06", "貓糧", of_kind("猫粮")),
    ("trad-07", "紙尿褲", diapers),
    # price limits (listings without a price are never relevant)
    ("price-01", "300元以下的面霜", price_in("面霜", hi=300)),
    ("price-02", "隔离霜 200元以内", price_in("隔离霜", hi=200)),
    ("price-03", "5000到7000的手机", price_in("手机", lo=5000, hi=7000)),
    ("price-04", "100块以下的洗面奶", price_in("洗面奶", hi=100)),
    ("price-05", "800元以上的跑步鞋", price_in("跑步鞋", lo=800)),
    ("price-06", "低于2000的电饭煲", price_in("电饭煲", hi=2000, strict_hi=True)),
    ("price-07", "面霜 300-600元", price_in("面霜", lo=300, hi=600)),
    # exclusions
    ("excl-01", "面霜 不要日本产的", excluded_origin("面霜", lambda o: o != "日本")),
    ("excl-02", "隔离霜 非韩国", excluded_origin("隔离霜", lambda o: o != "韩国")),
    ("excl-03", "洗面奶 不要男士的", lambda f, r: 2 if f["kind"] == "洗面奶" and f["ppl"] != "男士" else 0),
    ("excl-04", "手机 除了苹果", lambda f, r: 2 if f["kind"] == "手机" and f["brand"] != "apple" else 0),
    (
        "excl-05",
        "t恤 不要涤纶",
        lambda f, r: (2 if material_stated(f, r) else 1) if f["kind"] == "T恤" and f["mat"] != "涤纶" else 0,
    ),
    ("excl-06", "奶粉 不要进口的", excluded_origin("奶粉", lambda o: o == CN)),
    ("excl-07", "跑步鞋 不要耐克", lambda f, r: 2 if f["kind"] == "跑步鞋" and f["brand"] != "nike" else 0),
]


def build_judgments(records: list[dict], facts: list[dict]) -> list[tuple[str, str, str, int]]:
    rows = []
    for qid, query, grade_fn in QUERIES:
        graded = []
        for r, f in zip(records, facts, strict=True):
            g = grade_fn(f, r)
            if g:
                graded.append((r["id"], g))
        graded.sort(key=lambda x: (-x[1], x[0]))
        rows += [(qid, query, pid, g) for pid, g in graded]
    return rows


# ---------------------------------------------------------------------------
# Simulated shoppers
# ---------------------------------------------------------------------------
TZ = dt.timezone(dt.timedelta(hours=8))
WINDOW_END = int(dt.datetime(2026, 11, 1, tzinfo=TZ).timestamp())  # end of 2026-10-31, China time
WINDOW_START = WINDOW_END - 30 * 86400
N_SHOPPERS = 150
# funnel per interaction: P(click | view), P(cart | click), P(purchase | cart)
FUNNEL = {"fav": (0.55, 0.40, 0.50), "kind": (0.35, 0.20, 0.30), "noise": (0.20, 0.10, 0.20)}


def build_shoppers(rng: random.Random, records: list[dict], facts: list[dict]):
    by_kind_brand: dict[str, dict[str, list[int]]] = {}
    for i, f in enumerate(facts):
        if f["brand"] is not None:
            by_kind_brand.setdefault(f["kind"], {}).setdefault(f["brand"], []).append(i)
    kinds = [k for k, brands in by_kind_brand.items() if len(brands) >= 2]
    kind_items = {k: [i for i, f in enumerate(facts) if f["kind"] == k] for k in kinds}
    popularity = [1.0 + math.sqrt(r["sales"] or 0) for r in records]
    all_idx = list(range(len(records)))

    shoppers = []
    for u in range(1, N_SHOPPERS + 1):
        uid = f"u{u:04d}"
        chosen = rng.sample(kinds, rng.choice([2, 2, 3, 3, 4]))
        fav = {}
        for k in chosen:
            brands = list(by_kind_brand[k])
            weights = [sum(popularity[i] for i in by_kind_brand[k][b]) ** 0.5 for b in brands]
            fav[k] = rng.choices(brands, weights=weights)[0]
        shoppers.append({"user_id": uid, "fav": fav, "active": u % 10 != 0})

    events = []
    for s in shoppers:
        if not s["active"]:
            continue
        n_inter = max(4, min(90, int(rng.lognormvariate(3.25, 0.6))))
        fav_kinds = list(s["fav"])
        for _ in range(n_inter):
            r = rng.random()
            k = rng.choice(fav_kinds)
            if r < 0.65:
                pool, bucket = by_kind_brand[k][s["fav"][k]], "fav"
            elif r < 0.85:
                pool = [i for i in kind_items[k] if facts[i]["brand"] != s["fav"][k]]
                bucket = "kind"
            else:
                pool, bucket = all_idx, "noise"
            item = rng.choices(pool, weights=[popularity[i] for i in pool])[0]
            ts = rng.randint(WINDOW_START, WINDOW_END - 1)
            p_click, p_cart, p_buy = FUNNEL[bucket]
            steps = ["view"]
            if rng.random() < p_click:
                steps.append("click")
                if rng.random() < p_cart:
                    steps.append("cart")
                    if rng.random() < p_buy:
                        steps.append("purchase")
            for step in steps:
                if ts >= WINDOW_END:
                    break
                events.append({"user_id": s["user_id"], "product_id": records[item]["id"], "event": step, "ts": ts})
                ts += {
                    "view": rng.randint(5, 300),
                    "click": rng.randint(30, 3600),
                    "cart": rng.randint(60, 7200),
                    "purchase": 0,
                }[step]
    order = {"view": 0, "click": 1, "cart": 2, "purchase": 3}
    events.sort(key=lambda e: (e["ts"], e["user_id"], e["product_id"], order[e["event"]]))

    counts = Counter(e["user_id"] for e in events)
    sessions = []
    for s in shoppers:
        fav_kinds = list(s["fav"])
        asked = rng.sample(fav_kinds, 2 if rng.random() < 0.35 else 1)
        for k in asked:
            relevant = sorted(records[i]["id"] for i in by_kind_brand[k][s["fav"][k]])
            sessions.append(
                {
                    "user_id": s["user_id"],
                    "query": k,
                    "relevant": relevant,
                    "history_events": counts.get(s["user_id"], 0),
                }
            )
    return events, sessions, shoppers


# ---------------------------------------------------------------------------
# Writing and checking
# ---------------------------------------------------------------------------
def write_jsonl(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def generate() -> dict:
    rng = random.Random(SEED)
    records, facts = build_catalog(rng)
    judgments = build_judgments(records, facts)
    events, sessions, shoppers = build_shoppers(random.Random(SEED + 1), records, facts)
    SAMPLE_DIR.mkdir(parents=True, exist_ok=True)
    write_jsonl(SAMPLE_DIR / "catalog.jsonl", records)
    with (SAMPLE_DIR / "judgments.tsv").open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("qid\tquery\tproduct_id\tgrade\n")
        for qid, query, pid, g in judgments:
            fh.write(f"{qid}\t{query}\t{pid}\t{g}\n")
    write_jsonl(SAMPLE_DIR / "events.jsonl", events)
    write_jsonl(SAMPLE_DIR / "sessions.jsonl", sessions)
    return {
        "records": records,
        "facts": facts,
        "judgments": judgments,
        "events": events,
        "sessions": sessions,
        "shoppers": shoppers,
    }


def norm(s: str) -> str:
    return re.sub(r"[\s\-_/().]", "", s.lower())


def self_check(state: dict | None = None) -> list[str]:
    """Re-read the written files and return a list of problems (empty when all is well)."""
    problems: list[str] = []
    catalog = [json.loads(line) for line in (SAMPLE_DIR / "catalog.jsonl").open(encoding="utf-8")]
    ids = [p["id"] for p in catalog]
    id_set = set(ids)
    if len(ids) != len(id_set):
        problems.append("duplicate product ids")
    if not 600 <= len(catalog) <= 800:
        problems.append(f"catalog has {len(catalog)} products, expected 600-800")
    fields = ["id", "title", "brand", "category", "attributes", "price", "sales"]
    for p in catalog:
        if list(p) != fields:
            problems.append(f"{p['id']}: fields {list(p)}")
        if not re.fullmatch(r"S\d{5}", p["id"]):
            problems.append(f"bad id {p['id']}")
        if p["price"] is not None and not (isinstance(p["price"], float) and p["price"] > 0):
            problems.append(f"{p['id']}: price {p['price']!r}")
        if (p["price"] is None) != (p["sales"] is None):
            problems.append(f"{p['id']}: price and sales should be missing together")
        if p["sales"] is not None and (not isinstance(p["sales"], int) or p["sales"] < 0):
            problems.append(f"{p['id']}: sales {p['sales']!r}")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in p["attributes"].items()):
            problems.append(f"{p['id']}: attributes must map str to str")
        if p["category"] is not None and not 2 <= p["category"].count("/") + 1 <= 3:
            problems.append(f"{p['id']}: category depth {p['category']}")

    # dictionaries
    brands_tsv = DICT_DIR / "brands.tsv"
    if brands_tsv.exists():
        lines = brands_tsv.read_text(encoding="utf-8").splitlines()
        if lines[0] != "canonical\taliases":
            problems.append("brands.tsv header")
        known: dict[str, set[str]] = {}
        for line in lines[1:]:
            canon, aliases = line.split("\t")
            if canon in known:
                problems.append(f"brands.tsv: {canon} listed twice")
            known[canon] = {a for a in aliases.split("|") if a}
        for p in catalog:
            if p["brand"] is not None and p["brand"] not in known:
                problems.append(f"brand {p['brand']} missing from brands.tsv")
        for key in BRANDS:
            canon, en, zh, _alts = brand_parts(key)
            if canon not in known:
                problems.append(f"brand {canon} missing from brands.tsv")
                continue
            names = known[canon] | {canon.lower()}
            for form in (en, zh):
                if form and len(form) >= 2 and form.lower() not in names and form not in names:
                    problems.append(f"brands.tsv: {canon} lacks alias {form.lower()}")
    else:
        problems.append("configs/dictionaries/brands.tsv missing")
    words_txt = DICT_DIR / "product_words.txt"
    if words_txt.exists():
        vocab = {ln.split("\t")[0].lower() for ln in words_txt.read_text(encoding="utf-8").splitlines() if ln.strip()}
        needed = {k["key"] for k in KINDS} | {w for k in KINDS for w in k.get("words", [])}
        needed |= {ln["word"] for k in KINDS for ln in k["lines"] if ln.get("word")}
        needed = {w.lower() for w in needed}
        for w in sorted(needed - vocab):
            problems.append(f"product word {w} missing from product_words.txt")
    else:
        problems.append("configs/dictionaries/product_words.txt missing")

    # judgments
    rows = (SAMPLE_DIR / "judgments.tsv").read_text(encoding="utf-8").splitlines()
    if rows[0] != "qid\tquery\tproduct_id\tgrade":
        problems.append("judgments.tsv header")
    kinds: dict[str, set[str]] = {}
    best: dict[str, int] = {}
    seen_pairs = set()
    for row in rows[1:]:
        qid, query, pid, grade = row.split("\t")
        kinds.setdefault(qid.split("-")[0], set()).add(qid)
        best[qid] = max(best.get(qid, 0), int(grade))
        if pid not in id_set:
            problems.append(f"judgment {qid} names unknown product {pid}")
        if grade not in ("1", "2"):
            problems.append(f"judgment {qid} grade {grade}")
        if (qid, pid) in seen_pairs:
            problems.append(f"judgment {qid} lists {pid} twice")
        seen_pairs.add((qid, pid))
    for kind in ("brand", "model", "nl", "typo", "trad", "price", "excl"):
        if len(kinds.get(kind, ())) < 5:
            problems.append(f"only {len(kinds.get(kind, ()))} {kind} queries")
    for qid, _q, _fn in QUERIES:
        if best.get(qid, 0) < 2:
            problems.append(f"query {qid} has no grade-2 product")
    n_queries = sum(len(v) for v in kinds.values())
    if not 40 <= n_queries <= 60:
        problems.append(f"{n_queries} judged queries, expected 40-60")

    # events and sessions
    events = [json.loads(line) for line in (SAMPLE_DIR / "events.jsonl").open(encoding="utf-8")]
    if [e["ts"] for e in events] != sorted(e["ts"] for e in events):
        problems.append("events not sorted by ts")
    ev_counts = Counter(e["event"] for e in events)
    if not ev_counts["view"] > ev_counts["click"] > ev_counts["cart"] > ev_counts["purchase"] > 0:
        problems.append(f"event mix {dict(ev_counts)}")
    for e in events:
        if e["product_id"] not in id_set or not WINDOW_START <= e["ts"] < WINDOW_END:
            problems.append(f"bad event {e}")
            break
    if not 5000 <= len(events) <= 8000:
        problems.append(f"{len(events)} events, expected 5000-8000")
    per_user = Counter(e["user_id"] for e in events)
    for u in range(10, N_SHOPPERS + 1, 10):
        if per_user.get(f"u{u:04d}"):
            problems.append(f"u{u:04d} should have no history")
    sessions = [json.loads(line) for line in (SAMPLE_DIR / "sessions.jsonl").open(encoding="utf-8")]
    for s in sessions:
        if not s["relevant"] or any(pid not in id_set for pid in s["relevant"]):
            problems.append(f"bad session {s['user_id']} {s['query']}")
        if s["history_events"] != per_user.get(s["user_id"], 0):
            problems.append(f"session {s['user_id']} history_events mismatch")
    if len({s["user_id"] for s in sessions}) != N_SHOPPERS:
        problems.append("every shopper should have at least one session")

    # the listings really say what the judgments rely on
    if state is not None:
        for r, f in zip(state["records"], state["facts"], strict=True):
            t = r["title"]
            if f["ppl"] in ("男士", "孕妇") and f["kind"] in ("面霜", "隔离霜", "洗面奶") and f["ppl"] not in t:
                problems.append(f"{r['id']}: {f['ppl']} product without {f['ppl']} in title: {t}")
            if f["kind"] == "洗面奶" and f["ppl"] != "男士" and "男" in t:
                problems.append(f"{r['id']}: non-men's cleanser mentions 男: {t}")
            for m in ("P70D20TL-D4", "BCD-470WDPG", "XR-120", "Mate60 Pro", "iPhone 15 Pro Max"):
                if f["model"] == m and f["kind"] != "手机壳" and norm(m) not in norm(t):
                    problems.append(f"{r['id']}: model {m} not in title: {t}")
            if f["model"] == "Z6II" and not re.search(r"z6(ii|2|\s*2代|二代|\s*ii)", t.lower()):
                problems.append(f"{r['id']}: Z6II not in title: {t}")
            if "神仙水" in f["tags"] and "神仙水" not in t:
                problems.append(f"{r['id']}: 神仙水 not in title")
        titles = "\n".join(r["title"] for r in state["records"])
        must_have = (
            "ＳＫ－ＩＩ", "５０ｍｌ", "蘭芝", "巴黎欧莱雅", "EF-S 18-55mm f/4-5.6 IS STM", "18-55stm",
            "P70D20TL-D4", "p70d20tl-d4", "Z62", "RTX4060", "iPhone 15 Pro Max", "BCD-470WDPG",
            "Mate60 Pro", "XR-120",
        )  # fmt: skip
        for must in must_have:
            if must not in titles:
                problems.append(f"no title contains {must}")
    return problems


def summary(state: dict) -> str:
    records, facts = state["records"], state["facts"]
    cats = Counter(r["category"] for r in records if r["category"])
    tops = Counter(c.split("/")[0] for c in cats.elements())
    brands = Counter(r["brand"] for r in records if r["brand"])
    ev = Counter(e["event"] for e in state["events"])
    dups: dict[str, list[str]] = {}
    for f in facts:
        if f["dup"]:
            dups.setdefault(f["dup"], []).append(f["id"])
    jq = Counter(q.split("-")[0] for q, _, _ in QUERIES)
    lines = [
        f"catalog: {len(records)} products, {len(cats)} leaf categories in {len(tops)} top-level categories, "
        f"{len(brands)} brands (+{len(BRANDS) - len(brands)} hidden by missing brand field)",
        f"  missing brand {sum(r['brand'] is None for r in records)}, "
        f"price/sales {sum(r['price'] is None for r in records)}, "
        f"category {sum(r['category'] is None for r in records)}, "
        f"empty attributes {sum(not r['attributes'] for r in records)}",
        f"judgments: {len(QUERIES)} queries ({dict(jq)}), {len(state['judgments'])} rows",
        f"events: {len(state['events'])} ({dict(ev)})",
        f"sessions: {len(state['sessions'])} for {len({s['user_id'] for s in state['sessions']})} shoppers",
        "near-duplicate groups: " + "; ".join(f"{k}: {' '.join(v)}" for k, v in dups.items()),
    ]
    return "\n".join(lines)


def show(qid: str) -> None:
    catalog = {json.loads(x)["id"]: json.loads(x) for x in (SAMPLE_DIR / "catalog.jsonl").open(encoding="utf-8")}
    for row in (SAMPLE_DIR / "judgments.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        q, query, pid, g = row.split("\t")
        if q == qid:
            p = catalog[pid]
            print(f"{q} {query} {g} {pid} {p['price']} | {p['title']} | {p['attributes']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="only check the existing files")
    ap.add_argument("--show", metavar="QID", help="print the judged products of one query")
    args = ap.parse_args(argv)
    if args.show:
        show(args.show)
        return 0
    state = None
    if not args.check:
        state = generate()
        print(summary(state))
    problems = self_check(state)
    for p in problems:
        print("PROBLEM:", p, file=sys.stderr)
    print("self-check:", "OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
