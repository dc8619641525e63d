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

and then runs a self-check (ids unique and resolvable, prices positive, JSON
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
# Brands: key -> (canonical name as the brand field shows it, home country,
# extra ways titles write it).  Titles also use the Chinese part, the English
# part and a lowercase form derived from the canonical name.
# ---------------------------------------------------------------------------
BRANDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # skincare, make-up, hair
    "laneige": ("Laneige/兰芝", "韩国", ("LANEIGE兰芝",)),
    "esteelauder": ("Estee Lauder/雅诗兰黛", "美国", ("ESTEE LAUDER雅诗兰黛", "雅诗兰黛EsteeLauder")),
    "loreal": ("L'Oreal/欧莱雅", "法国", ("巴黎欧莱雅", "L'OREAL PARIS巴黎欧莱雅", "LOREAL欧莱雅")),
    "olay": ("Olay/玉兰油", "美国", ("OLAY玉兰油",)),
    "shiseido": ("Shiseido/资生堂", "日本", ("SHISEIDO资生堂",)),
    "skii": ("SK-II", "日本", ("SKII", "SK2")),
    "chando": ("自然堂", CN, ("CHANDO自然堂",)),
    "pechoin": ("百雀羚", CN, ("PECHOIN百雀羚",)),
    "sulwhasoo": ("Sulwhasoo/雪花秀", "韩国", ()),
    "whoo": ("Whoo/后", "韩国", ("WHOO后",)),
    "curel": ("Curel/珂润", "日本", ("CUREL珂润",)),
    "kiehls": ("Kiehl's/科颜氏", "美国", ("KIEHL'S科颜氏",)),
    "lancome": ("Lancome/兰蔻", "法国", ("LANCOME兰蔻",)),
    "proya": ("Proya/珀莱雅", CN, ()),
    "winona": ("Winona/薇诺娜", CN, ()),
    "innisfree": ("Innisfree/悦诗风吟", "韩国", ()),
    "daishu": ("袋鼠妈妈", CN, ()),
    "qinrun": ("亲润", CN, ()),
    "kans": ("Kans/韩束", CN, ("KANS韩束",)),
    "missha": ("Missha/谜尚", "韩国", ()),
    "sofina": ("Sofina/苏菲娜", "日本", ()),
    "canmake": ("Canmake/井田", "日本", ()),
    "cpb": ("Cle de Peau Beaute/肌肤之钥", "日本", ("CPB肌肤之钥", "cpb")),
    "guerlain": ("Guerlain/娇兰", "法国", ()),
    "mistine": ("Mistine/蜜丝婷", "泰国", ()),
    "mac": ("MAC/魅可", "美国", ()),
    "armani": ("Giorgio Armani/阿玛尼", "意大利", ("阿玛尼ARMANI",)),
    "gf": ("Gf/高夫", CN, ()),
    "senka": ("Senka/珊珂", "日本", ()),
    "freeplus": ("Freeplus/芙丽芳丝", "日本", ()),
    "larocheposay": ("La Roche-Posay/理肤泉", "法国", ()),
    "cetaphil": ("Cetaphil/丝塔芙", "加拿大", ()),
    "biotherm": ("Biotherm/碧欧泉", "法国", ()),
    "mentholatum": ("Mentholatum/曼秀雷敦", CN, ()),
    "nivea": ("Nivea/妮维雅", "德国", ("NIVEA妮维雅",)),
    "fancl": ("Fancl/芳珂", "日本", ()),
    "theordinary": ("The Ordinary", "加拿大", ()),
    "skinceuticals": ("SkinCeuticals/修丽可", "美国", ()),
    "anessa": ("Anessa/安热沙", "日本", ()),
    "biore": ("Biore/碧柔", "日本", ()),
    "isdin": ("ISDIN/怡思丁", "西班牙", ()),
    "ysl": ("YSL/圣罗兰", "法国", ("Yves Saint Laurent圣罗兰",)),
    "dior": ("Dior/迪奥", "法国", ()),
    "tomford": ("Tom Ford/汤姆福特", "美国", ("TF",)),
    "florasis": ("花西子", CN, ("Florasis花西子",)),
    "perfectdiary": ("完美日记", CN, ("Perfect Diary完美日记",)),
    "headshoulders": ("Head & Shoulders/海飞丝", CN, ()),
    "pantene": ("Pantene/潘婷", CN, ()),
    "clear": ("Clear/清扬", CN, ()),
    "fino": ("Fino/芬浓", "日本", ()),
    "ryo": ("Ryo/吕", "韩国", ("RYO吕",)),
    "schwarzkopf": ("Schwarzkopf/施华蔻", "德国", ()),
    "adolph": ("阿道夫", CN, ()),
    # phones, computers, cameras
    "apple": ("Apple/苹果", "美国", ()),
    "huawei": ("Huawei/华为", CN, ("HUAWEI华为",)),
    "xiaomi": ("Xiaomi/小米", CN, ("MI小米",)),
    "oppo": ("OPPO", CN, ()),
    "vivo": ("vivo", CN, ()),
    "honor": ("Honor/荣耀", CN, ()),
    "oneplus": ("OnePlus/一加", CN, ()),
    "samsung": ("Samsung/三星", "韩国", ()),
    "baseus": ("Baseus/倍思", CN, ()),
    "torras": ("Torras/图拉斯", CN, ()),
    "ugreen": ("Ugreen/绿联", CN, ()),
    "smartdevil": ("闪魔", CN, ("SmartDevil闪魔",)),
    "sony": ("Sony/索尼", "日本", ()),
    "edifier": ("Edifier/漫步者", CN, ()),
    "bose": ("Bose", "美国", ()),
    "sennheiser": ("Sennheiser/森海塞尔", "德国", ()),
    "lenovo": ("Lenovo/联想", CN, ()),
    "asus": ("ASUS/华硕", CN, ()),
    "hp": ("HP/惠普", "美国", ()),
    "dell": ("Dell/戴尔", "美国", ()),
    "mechrevo": ("机械革命", CN, ("MECHREVO机械革命",)),
    "colorful": ("Colorful/七彩虹", CN, ()),
    "msi": ("MSI/微星", CN, ()),
    "gigabyte": ("Gigabyte/技嘉", CN, ()),
    "galax": ("GALAX/影驰", CN, ()),
    "sapphire": ("Sapphire/蓝宝石", CN, ()),
    "logitech": ("Logitech/罗技", "瑞士", ()),
    "cherry": ("Cherry/樱桃", "德国", ()),
    "dareu": ("Dareu/达尔优", CN, ()),
    "razer": ("Razer/雷蛇", "美国", ()),
    "canon": ("Canon/佳能", "日本", ()),
    "nikon": ("Nikon/尼康", "日本", ()),
    "sigma": ("Sigma/适马", "日本", ()),
    "tamron": ("Tamron/腾龙", "日本", ()),
    "fujifilm": ("Fujifilm/富士", "日本", ()),
    # appliances
    "midea": ("Midea/美的", CN, ()),
    "supor": ("Supor/苏泊尔", CN, ()),
    "zojirushi": ("Zojirushi/象印", "日本", ()),
    "tiger": ("Tiger/虎牌", "日本", ()),
    "panasonic": ("Panasonic/松下", "日本", ()),
    "joyoung": ("Joyoung/九阳", CN, ()),
    "toshiba": ("Toshiba/东芝", "日本", ()),
    "galanz": ("Galanz/格兰仕", CN, ()),
    "haier": ("Haier/海尔", CN, ()),
    "siemens": ("Siemens/西门子", "德国", ()),
    "ronshen": ("Ronshen/容声", CN, ()),
    "tcl": ("TCL", CN, ()),
    "gree": ("Gree/格力", CN, ()),
    "aux": ("AUX/奥克斯", CN, ()),
    "hisense": ("Hisense/海信", CN, ()),
    "philips": ("Philips/飞利浦", "荷兰", ()),
    "oralb": ("Oral-B/欧乐B", "美国", ()),
    "usmile": ("Usmile/笑容加", CN, ()),
    "dyson": ("Dyson/戴森", "英国", ()),
    "laifen": ("Laifen/徕芬", CN, ()),
    # apparel, shoes, sports
    "uniqlo": ("Uniqlo/优衣库", "日本", ()),
    "nike": ("Nike/耐克", "美国", ()),
    "adidas": ("Adidas/阿迪达斯", "德国", ()),
    "lining": ("Li-Ning/李宁", CN, ("LINING李宁",)),
    "anta": ("Anta/安踏", CN, ()),
    "hla": ("HLA/海澜之家", CN, ()),
    "jackjones": ("Jack Jones/杰克琼斯", "丹麦", ()),
    "semir": ("Semir/森马", CN, ()),
    "bananain": ("Bananain/蕉内", CN, ()),
    "only": ("ONLY", "丹麦", ()),
    "veromoda": ("Vero Moda", "丹麦", ()),
    "peacebird": ("Peacebird/太平鸟", CN, ()),
    "eifini": ("Eifini/伊芙丽", CN, ()),
    "wensli": ("Wensli/万事利", CN, ()),
    "bosideng": ("Bosideng/波司登", CN, ()),
    "yaya": ("鸭鸭", CN, ("YAYA鸭鸭",)),
    "tnf": ("The North Face/北面", "美国", ("TNF",)),
    "canadagoose": ("Canada Goose/加拿大鹅", "加拿大", ()),
    "gaoman": ("高梵", CN, ()),
    "erdos": ("Erdos/鄂尔多斯", CN, ()),
    "hengyuanxiang": ("恒源祥", CN, ()),
    "xtep": ("Xtep/特步", CN, ()),
    "asics": ("Asics/亚瑟士", "日本", ()),
    "newbalance": ("New Balance", "美国", ("NB",)),
    "hoka": ("HOKA", "美国", ()),
    "b361": ("361°", CN, ("361度",)),
    "keep": ("Keep", CN, ()),
    "decathlon": ("Decathlon/迪卡侬", "法国", ()),
    "lululemon": ("Lululemon", "加拿大", ()),
    # food
    "squirrel": ("三只松鼠", CN, ()),
    "bestore": ("良品铺子", CN, ()),
    "baicaowei": ("百草味", CN, ()),
    "qiaqia": ("洽洽", CN, ("ChaCheer洽洽",)),
    "lays": ("Lay's/乐事", "美国", ()),
    "weilong": ("卫龙", CN, ()),
    "nestle": ("Nestle/雀巢", "瑞士", ()),
    "saturnbird": ("三顿半", CN, ()),
    "ucc": ("UCC/悠诗诗", "日本", ()),
    "maxim": ("Maxim/麦馨", "韩国", ()),
    "starbucks": ("Starbucks/星巴克", "美国", ()),
    "arawana": ("金龙鱼", CN, ()),
    "fortune": ("福临门", CN, ()),
    "shiyuedaotian": ("十月稻田", CN, ()),
    "chaihuo": ("柴火大院", CN, ()),
    # baby
    "feihe": ("飞鹤", CN, ("FIRMUS飞鹤",)),
    "aptamil": ("Aptamil/爱他美", "德国", ()),
    "a2": ("a2", "新西兰", ()),
    "wyeth": ("Wyeth/惠氏", "美国", ()),
    "junlebao": ("君乐宝", CN, ()),
    "yili": ("伊利", CN, ()),
    "meadjohnson": ("Mead Johnson/美赞臣", "美国", ()),
    "biostime": ("Biostime/合生元", CN, ()),
    "pampers": ("Pampers/帮宝适", "美国", ()),
    "merries": ("Merries/妙而舒", "日本", ()),
    "mamypoko": ("MamyPoko/妈咪宝贝", "日本", ()),
    "huggies": ("Huggies/好奇", "美国", ()),
    "goon": ("GOO.N/大王", "日本", ()),
    "babycare": ("babycare", CN, ()),
    # home
    "tenma": ("Tenma/天马", "日本", ()),
    "citylong": ("Citylong/禧天龙", CN, ()),
    "iris": ("IRIS/爱丽思", "日本", ()),
    "muji": ("MUJI/无印良品", "日本", ()),
    "taili": ("太力", CN, ()),
    "luolai": ("Luolai/罗莱", CN, ("罗莱家纺",)),
    "fuanna": ("Fuanna/富安娜", CN, ()),
    "mercury": ("水星家纺", CN, ()),
    "mendale": ("Mendale/梦洁", CN, ()),
    "beyond": ("Beyond/博洋", CN, ()),
    "bluemoon": ("蓝月亮", CN, ()),
    "liby": ("Liby/立白", CN, ()),
    "omo": ("OMO/奥妙", CN, ()),
    "tide": ("Tide/汰渍", CN, ()),
    "walch": ("Walch/威露士", CN, ()),
    # pets
    "royalcanin": ("Royal Canin/皇家", "法国", ("ROYAL CANIN皇家",)),
    "orijen": ("Orijen/渴望", "加拿大", ()),
    "acana": ("Acana/爱肯拿", "加拿大", ()),
    "proplan": ("Pro Plan/冠能", "美国", ()),
    "myfoodie": ("Myfoodie/麦富迪", CN, ()),
    "naturebridge": ("Nature Bridge/比瑞吉", CN, ()),
    "whiskas": ("Whiskas/伟嘉", "美国", ()),
    "pedigree": ("Pedigree/宝路", "美国", ()),
    "purenatural": ("Pure&Natural/伯纳天纯", CN, ()),
    # cars
    "blackview": ("Blackview/凌度", CN, ()),
    "mai70": ("70迈", CN, ("70mai",)),
    "ddpai": ("DDPAI/盯盯拍", CN, ()),
    "qihoo360": ("360", CN, ()),
    "mobil": ("Mobil/美孚", "美国", ()),
    "castrol": ("Castrol/嘉实多", "英国", ()),
    "shell": ("Shell/壳牌", "英国", ()),
}


def L(brand: str | None, series: str = "", price: tuple[float, float] | None = None, **kw) -> dict:
    """One product line: a brand's product (series) of a kind, listed one or more times."""
    return {"brand": brand, "series": series, "price": price, **kw}


# ---------------------------------------------------------------------------
# Product kinds (leaf categories) and their lines.
#   style      title/attribute style (beauty, goods, tech, appliance, apparel)
#   word       the plain product word shoppers type (also the session query)
#   words      product words titles use (line "word" overrides)
#   spec_key   attribute key for the size/spec value
#   pts        neutral selling points (never words the judgments test on)
# Line options: word, spec, specs {spec: list price}, colors, o (origin),
#   eff (efficacy), skin, ppl (audience), mat (material), model, malts (model
#   spellings), compat (phone model a case fits), tags, n (generated listings),
#   titles (hand-written listings), dup (all listings are one product sold by
#   different shops), stage, visc.
# ---------------------------------------------------------------------------
KINDS: list[dict] = [
    dict(
        key="面霜",
        cat="美妆护肤/面部护理/面霜",
        style="beauty",
        spec_key="规格",
        pts=[
            "滋润不油腻",
            "修护肌肤屏障",
            "秋冬必备",
            "温和不刺激",
            "质地轻盈",
            "细腻好吸收",
            "专柜正品",
            "熬夜救星",
        ],
        lines=[
            L(
                "laneige",
                "水衡透润保湿",
                (210, 280),
                eff="补水 保湿",
                skin="干皮",
                spec="50ml",
                n=2,
                titles=["兰芝水衡透润保湿面霜５０ｍｌ 补水保湿 清爽不黏腻"],
            ),
            L("laneige", "致美紧颜修护", (330, 390), eff="抗皱 紧致", spec="50ml"),
            L("esteelauder", "多效智妍", (560, 690), eff="抗皱 紧致", spec="50ml", n=2),
            L("esteelauder", "白金级奢宠", (1580, 1980), eff="抗皱 修护", spec="50ml"),
            L(
                "loreal",
                "复颜玻尿酸水光充盈",
                (139, 199),
                eff="补水 保湿",
                o=CN,
                spec="50ml",
                n=2,
                titles=["【官方正品】巴黎欧莱雅复颜玻尿酸水光充盈面霜 50ml 补水保湿 滋润不油腻"],
            ),
            L("loreal", "金致臻颜花蜜奢养", (299, 389), eff="抗皱 保湿", spec="60ml"),
            L("loreal", "男士水能保湿强润", (89, 129), ppl="男士", eff="补水 保湿", o=CN, spec="50ml"),
            L("olay", "大红瓶新生塑颜金纯", (199, 289), eff="抗皱 紧致", o=CN, spec="50g", n=2),
            L("olay", "水感透白光塑", (159, 219), eff="美白 提亮", o=CN, spec="50g"),
            L("shiseido", "悦薇珀翡紧颜亮肤", (780, 980), eff="抗皱 提亮", spec="50ml", n=2),
            L("shiseido", "百优丰盈提拉", (560, 690), eff="抗皱 紧致", spec="50ml"),
            L("skii", "大红瓶赋能焕采", (1190, 1540), eff="抗皱 紧致", spec="80g", word="精华霜"),
            L("chando", "雪域精粹纯粹滋润", (89, 139), eff="保湿", skin="干皮", spec="50g", n=2),
            L("chando", "冰肌水光", (129, 189), eff="补水", spec="50g"),
            L("pechoin", "水能量焕颜", (79, 129), eff="补水 保湿", spec="50g", n=2),
            L("pechoin", "帧颜淡纹", (169, 239), eff="抗皱", spec="50g"),
            L("sulwhasoo", "滋盈生人参焕颜", (1080, 1480), eff="抗皱 紧致", spec="60ml"),
            L("whoo", "天气丹花献光彩紧颜", (980, 1280), eff="抗皱 提亮", spec="50ml"),
            L(
                "curel",
                "润浸保湿滋养",
                (118, 158),
                eff="保湿 舒缓",
                skin="敏感肌 干皮",
                spec="40g",
                word="乳霜",
                n=2,
            ),
            L("kiehls", "高保湿", (265, 329), eff="保湿", skin="干皮", spec="50ml", n=2),
            L("lancome", "菁纯臻颜", (1350, 1680), eff="抗皱 紧致", spec="60ml"),
            L("proya", "红宝石3.0", (229, 319), eff="抗皱 紧致", spec="50g"),
            L(
                "winona",
                "舒敏保湿",
                (168, 268),
                eff="保湿 舒缓",
                skin="敏感肌",
                spec="50g",
                word="特护霜",
                n=2,
            ),
            L("innisfree", "绿茶精萃保湿", (120, 180), eff="补水 保湿", spec="50ml"),
            L("kans", "红蛮腰", (199, 269), eff="抗皱 紧致", spec="50g"),
            L("daishu", "孕妇补水保湿", (69, 119), ppl="孕妇", eff="补水 保湿", spec="50g", n=2),
            L("qinrun", "孕妇专用滋润保湿", (99, 169), ppl="孕妇", eff="保湿", spec="50g"),
            L(None, "烟酰胺亮肤", (19.9, 39.9), eff="美白 补水", o=CN, spec="50g", n=2),
        ],
    ),
    dict(
        key="隔离霜",
        cat="美妆护肤/彩妆/隔离霜",
        style="beauty",
        spec_key="规格",
        pts=["妆前打底", "持久不脱妆", "自然服帖", "轻薄透气", "不卡粉", "素颜霜", "妆前乳"],
        lines=[
            L(
                "laneige",
                "雪纱防晒",
                (168, 229),
                eff="提亮 遮瑕 控油",
                spec="30ml",
                colors=["紫色", "绿色"],
                n=2,
                titles=[
                    ("Laneige/兰芝雪纱防晒隔离霜30ml 紫色妆前乳 提亮肤色 控油遮瑕", {"color": "紫色"}),
                    (
                        "LANEIGE蘭芝 雪紗防曬隔離霜 30ml 紫色 妝前乳 提亮膚色 台灣專櫃公司貨",
                        {"color": "紫色"},
                    ),
                ],
            ),
            L("innisfree", "无油清透妆前", (69, 109), eff="控油", skin="油皮", spec="40ml", n=2),
            L("missha", "多效保湿润色", (59, 99), eff="保湿 遮瑕", spec="35ml", word="隔离乳"),
            L(
                "sofina",
                "映美焕采控油妆前",
                (139, 199),
                eff="控油 提亮",
                skin="油皮",
                spec="25ml",
                word="隔离乳",
                n=2,
            ),
            L("canmake", "透亮水感妆前", (65, 95), eff="提亮", spec="30g", n=2),
            L("cpb", "光凝妆前", (520, 620), eff="提亮 保湿", spec="37ml", n=2),
            L("guerlain", "金钻修颜妆前", (450, 560), eff="提亮", spec="30ml", word="隔离乳"),
            L("chando", "雪润皙白", (79, 119), eff="提亮 美白", spec="30g", colors=["紫色", "绿色"], n=2),
            L("mistine", "轻透防晒", (49, 79), eff="防晒 控油", spec="40ml"),
            L("mac", "妆前", (330, 390), eff="保湿", spec="30ml", word="隔离乳"),
            L("armani", "大师妆前", (460, 530), eff="提亮 保湿", spec="30ml"),
            L("gf", "男士素颜", (59, 89), ppl="男士", eff="遮瑕 控油", spec="50g"),
            L(None, "三色", (9.9, 19.9), eff="遮瑕", o=CN, spec="40g"),
        ],
    ),
    dict(
        key="洗面奶",
        cat="美妆护肤/面部护理/洗面奶",
        style="beauty",
        spec_key="净含量",
        pts=["温和清洁", "泡沫绵密", "洗后不紧绷", "深层清洁毛孔", "氨基酸", "清爽不假滑", "大容量"],
        lines=[
            L("senka", "洗颜专科绵润泡沫", (39, 65), eff="补水 保湿 清洁", spec="120g", word="洁面乳", n=2),
            L(
                "freeplus",
                "净润",
                (109, 148),
                eff="保湿 清洁",
                skin="敏感肌",
                spec="100g",
                word="洗面霜",
                n=2,
            ),
            L(
                "curel",
                "润浸保湿",
                (98, 128),
                eff="保湿 清洁",
                skin="敏感肌 干皮",
                spec="150ml",
                word="洁颜泡沫",
            ),
            L("skii", "全效活肤", (460, 560), eff="清洁 保湿", spec="120g", word="洁面霜"),
            L("shiseido", "红妍肌活", (330, 420), eff="清洁 保湿", spec="125ml", word="洁面乳", n=2),
            L(
                "shiseido",
                "男士焕能",
                (199, 260),
                ppl="男士",
                eff="控油 清洁",
                skin="油皮",
                spec="130g",
                word="洁面膏",
            ),
            L("laneige", "净肤多效", (119, 169), eff="清洁 补水", spec="150ml", word="洁面膏"),
            L("innisfree", "绿茶氨基酸", (59, 89), eff="补水 清洁", spec="150ml", word="洁面乳", n=2),
            L("sulwhasoo", "顺行柔和", (320, 380), eff="清洁 保湿", spec="200ml", word="洁面膏"),
            L("kiehls", "金盏花植萃", (239, 289), eff="舒缓 清洁", spec="230ml", word="洁面啫喱"),
            L("kiehls", "男士活力", (179, 229), ppl="男士", eff="清洁", spec="150ml", word="洁面啫喱"),
            L("cetaphil", "温和", (89, 129), eff="清洁", skin="敏感肌", spec="200ml", word="洁面乳"),
            L(
                "larocheposay",
                "清痘净肤",
                (159, 209),
                eff="祛痘 控油",
                skin="油皮",
                spec="125ml",
                word="洁面啫喱",
            ),
            L(
                "loreal",
                "男士火山岩控油清痘",
                (49, 79),
                ppl="男士",
                eff="控油 祛痘",
                skin="油皮",
                o=CN,
                spec="100ml",
                word="洁面膏",
                n=2,
            ),
            L(
                "loreal",
                "男士劲能醒肤",
                (45, 69),
                ppl="男士",
                eff="清洁 补水",
                o=CN,
                spec="100ml",
                word="洁面膏",
            ),
            L("loreal", "清润葡萄籽", (59, 89), eff="补水 清洁", o=CN, spec="125ml", word="洁面乳"),
            L(
                "biotherm",
                "男士净肤细致",
                (220, 280),
                ppl="男士",
                eff="控油 清洁",
                skin="油皮",
                spec="125ml",
                word="洁面膏",
            ),
            L("mentholatum", "男士冰爽活炭", (29, 49), ppl="男士", eff="控油 清洁", spec="150ml", n=2),
            L(
                "nivea",
                "男士控油抗痘",
                (35, 55),
                ppl="男士",
                eff="控油 祛痘",
                skin="油皮",
                o=CN,
                spec="100g",
                word="洁面泥",
            ),
            L("gf", "男士恒润保湿", (45, 69), ppl="男士", eff="保湿", spec="125ml"),
            L(
                "chando",
                "男士冰川矿泉控油",
                (49, 79),
                ppl="男士",
                eff="控油 清洁",
                skin="油皮",
                spec="120g",
                word="洁面膏",
            ),
            L("fancl", "净肤", (109, 150), eff="清洁", skin="敏感肌", spec="50g", word="洁面粉"),
            L("pechoin", "氨基酸温和", (39, 59), eff="补水 清洁", spec="120g"),
            L(None, "氨基酸", (9.9, 19.9), eff="清洁 控油", o=CN, spec="200g", n=2),
        ],
    ),
    dict(
        key="精华",
        cat="美妆护肤/面部护理/精华",
        style="beauty",
        spec_key="规格",
        pts=["修护", "焕亮", "肌底液", "熬夜必备", "吸收快", "专柜正品"],
        lines=[
            L(
                "skii",
                "护肤",
                (1370, 1690),
                eff="修护 提亮",
                spec="230ml",
                word="精华露",
                tags=["神仙水"],
                extra_pts=["神仙水"],
                n=2,
                dup=True,
                titles=["ＳＫ－ＩＩ护肤精华露 神仙水 ２３０ｍｌ 日本原装进口 补水修护 提亮肤色"],
            ),
            L(
                "skii",
                "肌因光蕴环采钻白",
                (1090, 1390),
                eff="美白 提亮",
                spec="50ml",
                word="精华",
                extra_pts=["小灯泡"],
            ),
            L(
                "esteelauder",
                "特润修护肌活",
                (690, 890),
                eff="修护 抗皱",
                spec="50ml",
                word="精华露",
                extra_pts=["小棕瓶"],
                n=2,
            ),
            L("lancome", "小黑瓶肌底", (760, 1080), eff="修护", spec="50ml", word="精华液"),
            L("olay", "淡斑小白瓶", (199, 269), eff="美白", o=CN, spec="30ml", word="精华液", n=2),
            L(
                "loreal",
                "青春密码酵素",
                (199, 289),
                eff="修护 补水",
                o=CN,
                spec="50ml",
                word="精华",
                extra_pts=["小黑瓶"],
            ),
            L("proya", "双抗", (219, 299), eff="抗皱 提亮", spec="30ml", word="精华液"),
            L(
                "theordinary",
                "烟酰胺10%+锌1%",
                (59, 79),
                eff="控油 提亮",
                skin="油皮",
                spec="30ml",
                word="精华",
            ),
            L("skinceuticals", "CE", (1080, 1350), eff="抗皱 提亮", spec="30ml", word="精华"),
            L("chando", "小紫瓶", (199, 269), eff="修护", spec="35ml", word="精华"),
        ],
    ),
    dict(
        key="防晒霜",
        cat="美妆护肤/面部护理/防晒霜",
        style="beauty",
        spec_key="规格",
        pts=["SPF50+ PA++++", "户外", "清爽不油腻", "防水防汗", "军训", "面部身体可用"],
        lines=[
            L("anessa", "小金瓶", (169, 249), eff="防晒", spec="60ml", word="防晒乳", n=2),
            L("biore", "水活", (49, 79), eff="防晒 保湿", spec="50g", n=2),
            L("mistine", "小黄帽", (59, 89), eff="防晒", spec="70ml"),
            L("isdin", "清透", (168, 229), eff="防晒", skin="敏感肌", spec="50ml"),
            L("lancome", "小白管", (380, 460), eff="防晒 提亮", spec="50ml", word="防晒乳"),
            L("winona", "清透", (118, 168), eff="防晒", skin="敏感肌", spec="50g", word="防晒乳"),
            L("mentholatum", "新碧水薄清爽", (39, 69), eff="防晒", spec="50g"),
        ],
    ),
    dict(
        key="口红",
        cat="美妆护肤/彩妆/口红",
        style="beauty",
        spec_key="色号",
        pts=["显白", "不易掉色", "丝绒雾面", "滋润", "礼盒装", "正品"],
        lines=[
            L("ysl", "方管", (320, 380), colors=["#1966", "#21", "#1"], n=3),
            L("dior", "烈艳蓝金", (330, 400), colors=["999", "888", "720"], word="唇膏", n=2),
            L("mac", "子弹头", (170, 220), colors=["Chili", "Ruby Woo"], n=2),
            L("armani", "红管", (330, 390), colors=["405", "206"], word="唇釉"),
            L("florasis", "雕花", (129, 169), colors=["M328", "M316"], n=2),
            L("perfectdiary", "小细跟", (69, 109), colors=["L01", "L06"]),
            L("tomford", "黑管", (420, 520), colors=["16", "80"]),
        ],
    ),
    dict(
        key="洗发水",
        cat="个人护理/洗发护发/洗发水",
        style="goods",
        spec_key="净含量",
        pts=["去屑止痒", "蓬松", "柔顺", "无硅油", "家庭装", "清爽"],
        lines=[
            L("headshoulders", "去屑丝质柔滑", (59, 89), spec="750ml", n=2),
            L("pantene", "3分钟奇迹", (49, 79), spec="500ml"),
            L("clear", "男士去屑控油", (49, 69), ppl="男士", spec="720g", n=2),
            L("fino", "透润美容液", (59, 79), spec="550ml", n=2),
            L("ryo", "紫吕滋养韧发", (69, 99), spec="400ml"),
            L("schwarzkopf", "多效修护", (49, 69), o=CN, spec="600ml"),
            L("adolph", "无硅油", (69, 99), spec="500ml"),
        ],
    ),
    dict(
        key="手机",
        cat="手机数码/手机",
        style="tech",
        spec_key="存储容量",
        words=["手机", "5G手机", "智能手机"],
        pts=["全网通", "官方正品", "国行", "拍照", "长续航", "快充", "旗舰"],
        lines=[
            L(
                "apple",
                model="iPhone 15 Pro Max",
                specs={"256GB": 9999, "512GB": 11999, "1TB": 13999},
                colors=["原色钛金属", "黑色钛金属", "白色钛金属", "蓝色钛金属"],
                n=3,
                malts=["iPhone 15 Pro Max", "iPhone15 Pro Max", "iPhone 15 ProMax"],
                titles=[
                    (
                        "【国行正品】Apple/苹果 iPhone 15 Pro Max 256GB 原色钛金属 5G手机 A17 Pro芯片",
                        {"spec": "256GB", "color": "原色钛金属"},
                    )
                ],
            ),
            L(
                "apple",
                model="iPhone 15 Pro",
                specs={"128GB": 7999, "256GB": 8999},
                colors=["原色钛金属", "黑色钛金属"],
                n=2,
            ),
            L(
                "apple",
                model="iPhone 15",
                specs={"128GB": 5999, "256GB": 6999},
                colors=["粉色", "蓝色", "黑色"],
                n=3,
            ),
            L(
                "huawei",
                model="Mate60 Pro",
                specs={"12GB+512GB": 6999, "12GB+1TB": 7999},
                colors=["雅川青", "白沙银", "南糯紫", "雅丹黑"],
                n=3,
                malts=["Mate60 Pro", "Mate 60 Pro", "Mate60Pro"],
            ),
            L(
                "huawei",
                model="Mate60",
                specs={"12GB+256GB": 5499, "12GB+512GB": 5999},
                colors=["雅川青", "雅丹黑"],
                n=2,
            ),
            L("huawei", model="Pura70 Pro", specs={"12GB+512GB": 6499}, colors=["羽砂黑", "罗兰紫"]),
            L("huawei", model="nova 12", specs={"256GB": 2999, "512GB": 3299}, colors=["樱语白", "曜金黑"]),
            L(
                "xiaomi",
                model="小米14",
                specs={"12GB+256GB": 3999, "16GB+512GB": 4599},
                colors=["黑色", "白色", "岩石青"],
                n=2,
            ),
            L(
                "xiaomi",
                model="小米14 Ultra",
                specs={"16GB+512GB": 6499, "16GB+1TB": 6999},
                colors=["黑色", "白色"],
            ),
            L("xiaomi", model="Redmi K70", specs={"12GB+256GB": 2499}, colors=["墨羽", "晴雪"]),
            L("xiaomi", model="Redmi Note 13 Pro", specs={"8GB+256GB": 1399}, colors=["子夜黑", "浅梦空间"]),
            L(
                "oppo",
                model="Find X7 Ultra",
                specs={"16GB+256GB": 5999, "16GB+512GB": 6499},
                colors=["松影墨韵", "大漠银月"],
            ),
            L("oppo", model="Reno11", specs={"12GB+256GB": 2499}, colors=["月光宝石", "曜石黑"]),
            L("vivo", model="X100 Pro", specs={"16GB+512GB": 5499}, colors=["辰夜黑", "星迹蓝"]),
            L("vivo", model="S18", specs={"12GB+256GB": 2499}, colors=["玄黑", "花似锦"]),
            L("honor", model="Magic6 Pro", specs={"16GB+512GB": 6199}, colors=["绒黑色", "海湖青"]),
            L("oneplus", model="OnePlus 12", specs={"16GB+512GB": 4799}, colors=["岩黑", "留白"]),
            L(
                "samsung",
                model="Galaxy S24 Ultra",
                specs={"12GB+256GB": 9699, "12GB+512GB": 10699},
                colors=["钛黑", "钛灰"],
            ),
        ],
    ),
    dict(
        key="手机壳",
        cat="手机数码/手机配件/手机壳",
        style="tech",
        spec_key="适用型号",
        pts=["防摔", "磁吸", "全包", "轻薄", "不发黄", "保护套"],
        lines=[
            L(
                "apple",
                "MagSafe硅胶",
                (359, 399),
                compat="iPhone 15 Pro Max",
                word="保护壳",
                colors=["风暴蓝", "黑色"],
            ),
            L("apple", "MagSafe透明", (359, 399), compat="iPhone 15 Pro", word="保护壳"),
            L("baseus", "磁吸防摔", (39, 59), compat="iPhone 15 Pro Max", n=2),
            L("torras", "磁吸", (59, 99), compat="iPhone 15 Pro Max"),
            L("torras", "素皮", (59, 99), compat="Mate60 Pro"),
            L("ugreen", "全包防摔", (29, 49), compat="Mate60 Pro"),
            L("huawei", "官方素皮", (99, 199), compat="Mate60 Pro", word="保护壳"),
            L("smartdevil", "透明", (19, 39), compat="小米14"),
            L(None, "液态硅胶", (9.9, 19.9), compat="Mate60 Pro"),
            L(None, "透明气囊", (6.9, 12.9), compat="iPhone 15"),
        ],
    ),
    dict(
        key="耳机",
        cat="手机数码/耳机",
        style="tech",
        spec_key="规格",
        pts=["主动降噪", "蓝牙5.3", "长续航", "无线", "运动", "通话降噪", "HiFi音质"],
        lines=[
            L("apple", "", (1599, 1899), model="AirPods Pro 2", word="蓝牙耳机", n=2),
            L("apple", "", (1099, 1299), model="AirPods 3", word="蓝牙耳机"),
            L("sony", "", (2299, 2699), model="WH-1000XM5", word="头戴式耳机", n=2),
            L("sony", "", (1599, 1899), model="WF-1000XM5", word="真无线耳机"),
            L("huawei", "", (1099, 1299), model="FreeBuds Pro 3", word="蓝牙耳机"),
            L("xiaomi", "", (149, 199), model="Redmi Buds 5", word="蓝牙耳机"),
            L("edifier", "", (299, 399), model="Lolli Pro 3", word="蓝牙耳机"),
            L("bose", "", (2699, 2999), model="QuietComfort Ultra", word="头戴式耳机"),
            L("sennheiser", "", (2199, 2599), model="MOMENTUM 4", word="头戴式耳机"),
        ],
    ),
    dict(
        key="笔记本电脑",
        cat="电脑办公/笔记本电脑",
        style="tech",
        spec_key="规格",
        pts=["轻薄便携", "2.5K高刷屏", "长续航", "办公", "设计", "官方正品"],
        lines=[
            L(
                "lenovo",
                "拯救者",
                (8499, 9299),
                model="Y7000P 2024",
                spec="i7-14650HX RTX4060 16G 1T",
                word="游戏本",
                tags=["gaming", "rtx4060"],
                n=2,
            ),
            L("lenovo", "小新", (4999, 5599), model="Pro16 2024", spec="Ultra5 32G 1T", word="轻薄本"),
            L(
                "asus",
                "天选5 Pro",
                (7299, 7999),
                spec="i9-13980HX RTX4060 16G 1T",
                word="游戏本",
                tags=["gaming", "rtx4060"],
                n=2,
            ),
            L(
                "hp",
                "暗影精灵10",
                (7699, 8299),
                spec="i7-13700HX RTX 4060 16G 1T",
                word="游戏本",
                tags=["gaming", "rtx4060"],
            ),
            L(
                "dell",
                "游匣G16",
                (8199, 8799),
                spec="i7-13650HX RTX4060 16G 1T",
                word="游戏本",
                tags=["gaming", "rtx4060"],
            ),
            L(
                "mechrevo",
                "极光Pro",
                (5999, 6599),
                spec="i7-13650HX RTX4060 16G 512G",
                word="游戏本",
                tags=["gaming", "rtx4060"],
            ),
            L(
                "lenovo",
                "拯救者",
                (10999, 11999),
                model="Y9000P 2024",
                spec="i9-14900HX RTX4070 32G 1T",
                word="游戏本",
                tags=["gaming"],
            ),
            L("apple", "", (7599, 8999), model="MacBook Air 13 M3", spec="8G+256G", word="笔记本电脑", n=2),
            L("huawei", "", (5999, 6999), model="MateBook 14 2024", spec="Ultra5 16G 1T", word="笔记本电脑"),
            L("xiaomi", "", (5299, 5799), model="RedmiBook Pro 16", spec="Ultra5 32G 1T", word="轻薄本"),
        ],
    ),
    dict(
        key="显卡",
        cat="电脑办公/电脑配件/显卡",
        style="tech",
        spec_key="显存容量",
        pts=["台式机电脑", "电竞游戏", "独立显卡", "DLSS3", "光追", "全新盒装"],
        lines=[
            L(
                "colorful",
                "iGame",
                (2399, 2599),
                model="GeForce RTX 4060 Ultra W OC 8G",
                tags=["gpu4060"],
                n=2,
                malts=["GeForce RTX 4060 Ultra W OC 8G", "RTX4060 Ultra W OC 8G"],
            ),
            L("colorful", "战斧", (2199, 2299), model="RTX4060 DUO 8G", tags=["gpu4060"]),
            L("asus", "", (2499, 2699), model="DUAL-RTX4060-O8G", tags=["gpu4060"]),
            L("msi", "", (2299, 2499), model="RTX 4060 VENTUS 2X BLACK 8G OC", tags=["gpu4060"]),
            L("gigabyte", "", (2299, 2399), model="RTX4060 WINDFORCE OC 8G", tags=["gpu4060"]),
            L("galax", "金属大师", (2249, 2349), model="RTX4060 8G", tags=["gpu4060"]),
            L("colorful", "iGame", (3099, 3299), model="RTX 4060 Ti Ultra W OC 8G", tags=["gpu4060ti"]),
            L("asus", "ATS", (3199, 3399), model="RTX4060Ti-O8G", tags=["gpu4060ti"]),
            L("msi", "魔龙", (5099, 5399), model="RTX 4070 SUPER GAMING X SLIM 12G"),
            L("gigabyte", "雪鹰", (12999, 14999), model="RTX4090 AERO OC 24G"),
            L("sapphire", "白金", (1899, 2099), model="RX 7600 8G"),
        ],
    ),
    dict(
        key="机械键盘",
        cat="电脑办公/键盘",
        style="tech",
        spec_key="规格",
        pts=["红轴", "茶轴", "青轴", "RGB背光", "有线", "热插拔", "电竞"],
        lines=[
            L("logitech", "", (599, 799), model="G610"),
            L("logitech", "", (1099, 1399), model="G913 TKL", extra_pts=["无线"]),
            L("cherry", "", (399, 499), model="MX3.0S", n=2),
            L("dareu", "", (199, 259), model="A87 Pro", extra_pts=["三模"]),
            L("razer", "黑寡妇蜘蛛", (899, 1099), model="V4"),
            L(None, "", (89, 129), extra_pts=["87键", "办公游戏"]),
        ],
    ),
    dict(
        key="镜头",
        cat="相机摄影/镜头",
        style="tech",
        spec_key="规格",
        pts=["原装正品", "防抖", "人像", "风光", "大光圈", "国行"],
        lines=[
            L(
                "canon",
                "",
                (599, 899),
                model="EF-S 18-55mm f/4-5.6 IS STM",
                word="变焦镜头",
                tags=["lens1855stm"],
                dup=True,
                titles=[
                    "佳能18-55stm 镜头 二代 单反相机拆机镜头 18-55 IS STM 防抖变焦 原装正品",
                    "Canon/佳能 EF-S 18-55mm f/4-5.6 IS STM 半画幅单反 标准变焦镜头 国行",
                ],
            ),
            L("canon", "", (1399, 1699), model="EF-S 55-250mm f/4-5.6 IS STM", word="长焦镜头"),
            L("canon", "小痰盂", (699, 899), model="EF 50mm f/1.8 STM", word="定焦镜头"),
            L("canon", "", (6999, 7899), model="RF 24-105mm F4 L IS USM", word="微单镜头"),
            L("nikon", "", (599, 799), model="AF-P DX 18-55mm f/3.5-5.6G VR", word="变焦镜头"),
            L("nikon", "", (3499, 3999), model="Z 24-70mm f/4 S", word="微单镜头"),
            L("nikon", "", (2999, 3499), model="Z 50mm f/1.8 S", word="定焦镜头"),
            L("sony", "", (13999, 14999), model="FE 24-70mm F2.8 GM II", word="微单镜头"),
            L("sony", "", (699, 999), model="E PZ 16-50mm F3.5-5.6 OSS", word="微单镜头"),
            L("sigma", "", (2999, 3399), model="18-50mm F2.8 DC DN Contemporary", word="镜头"),
            L("tamron", "", (5499, 5999), model="28-75mm F/2.8 Di III VXD G2 A063", word="微单镜头"),
            L("fujifilm", "", (5699, 6299), model="XF 23mm F1.4 R LM WR", word="定焦镜头"),
        ],
    ),
    dict(
        key="相机",
        cat="相机摄影/数码相机",
        style="tech",
        spec_key="套餐",
        pts=["4K视频", "vlog", "入门", "旅游", "高像素", "国行正品"],
        lines=[
            L("canon", "", (4999, 5799), model="EOS R50", spec="RF-S 18-45mm 套机", word="微单相机"),
            L(
                "canon",
                "",
                (4299, 4899),
                model="EOS 200D II",
                spec="EF-S 18-55mm STM 套机",
                word="单反相机",
                tags=["kit1855stm"],
                n=2,
                malts=["EOS 200D II", "200D二代", "EOS 200D2"],
            ),
            L(
                "canon",
                "",
                (5599, 6199),
                model="EOS 850D",
                spec="18-55 STM 套机",
                word="单反相机",
                tags=["kit1855stm"],
            ),
            L(
                "nikon",
                "全画幅",
                (9999, 11499),
                model="Z6II",
                spec="单机身",
                word="微单相机",
                titles=["尼康Z62 全画幅微单相机 Z6II二代 单机 4K视频 国行正品 Nikon"],
            ),
            L(
                "nikon",
                "全画幅",
                (13499, 14999),
                model="Z6II",
                spec="Z 24-70mm f/4 S 套机",
                word="微单相机",
                malts=["Z6II", "Z 6II", "Z6二代"],
            ),
            L("nikon", "全画幅", (15999, 17499), model="Z6III", spec="单机身", word="微单相机"),
            L("nikon", "", (4999, 5499), model="Z30", spec="16-50 套机", word="微单相机"),
            L(
                "sony",
                "全画幅",
                (14999, 16499),
                model="A7M4",
                spec="单机身",
                word="微单相机",
                malts=["A7M4", "ILCE-7M4"],
            ),
            L("sony", "", (4999, 5799), model="ZV-E10", spec="16-50套机", word="微单相机"),
            L("fujifilm", "", (11999, 12999), model="X-T5", spec="单机身", word="微单相机"),
            L("fujifilm", "", (11499, 13999), model="X100VI", word="数码相机"),
        ],
    ),
    dict(
        key="电饭煲",
        cat="家用电器/厨房电器/电饭煲",
        style="appliance",
        spec_key="容量",
        words=["电饭煲", "电饭锅"],
        pts=["家用", "智能预约", "多功能", "不粘内胆", "柴火饭", "3-4人"],
        lines=[
            L("midea", "", (199, 299), model="MB-4E86", spec="4L", n=2),
            L("midea", "IH", (399, 499), model="MB-HS4075", spec="4L"),
            L("supor", "球釜", (229, 329), model="SF40HC0071", spec="4L", n=2),
            L("zojirushi", "IH压力", (2499, 2999), model="NW-JEH10C", spec="3L", o="日本"),
            L("zojirushi", "", (1199, 1499), model="NL-GAH10C", spec="3L", o=CN),
            L("tiger", "IH", (1899, 2399), model="JKT-S10C", spec="3L", o="日本"),
            L("panasonic", "IH", (1199, 1599), model="SR-HL151", spec="4L", o=CN),
            L("joyoung", "", (159, 229), model="F-40FY1", spec="4L"),
            L("xiaomi", "米家", (299, 399), model="C1", spec="3L"),
            L("toshiba", "", (899, 1299), model="RC-10HMC", spec="3L", o=CN),
        ],
    ),
    dict(
        key="微波炉",
        cat="家用电器/厨房电器/微波炉",
        style="appliance",
        spec_key="容量",
        pts=["家用", "小型", "转盘", "机械式", "平板加热", "智能"],
        lines=[
            L(
                "galanz",
                "",
                (299, 389),
                model="P70D20TL-D4",
                spec="20L",
                dup=True,
                n=0,
                titles=[
                    "【格兰仕官方旗舰店】Galanz/格兰仕 P70D20TL-D4 微波炉 "
                    "家用20L 转盘 机械式 小型迷你 旋钮操作",
                    "格兰仕微波炉p70d20tl-d4家用小型转盘 机械旋钮 20升 正品联保",
                ],
            ),
            L("galanz", "光波炉", (479, 599), model="G80F23CN3L-C2(S0)", spec="23L"),
            L("galanz", "", (399, 459), model="P70F23P-G5(S0)", spec="23L"),
            L("midea", "", (329, 399), model="M1-L213B", spec="21L"),
            L("midea", "微蒸烤一体", (699, 899), model="PC23M5W", spec="23L"),
            L("panasonic", "", (899, 1099), model="NN-GT35NB", spec="23L"),
            L("toshiba", "", (1099, 1399), model="ER-SS20CNW", spec="20L"),
        ],
    ),
    dict(
        key="冰箱",
        cat="家用电器/大家电/冰箱",
        style="appliance",
        spec_key="容量",
        pts=["一级能效", "变频", "风冷无霜", "家用", "大容量", "净味保鲜"],
        lines=[
            L(
                "haier",
                "十字对开门",
                (3299, 3899),
                model="BCD-470WDPG",
                spec="470升",
                dup=True,
                n=0,
                titles=[
                    "【以旧换新】Haier/海尔 BCD-470WDPG 470升 十字对开门冰箱 "
                    "一级能效 风冷无霜 变频 家用大容量",
                    "海尔bcd470wdpg冰箱家用十字四门 470L 双变频 风冷无霜 官方正品",
                ],
            ),
            L("haier", "法式多门", (3599, 3999), model="BCD-470WGHFD", spec="470升"),
            L("haier", "三门", (1299, 1599), model="BCD-216WMPT", spec="216升"),
            L("midea", "对开门", (2999, 3399), model="BCD-508WKPZM(E)", spec="508升"),
            L("siemens", "对开门", (5999, 6999), model="KA92NV02TI", spec="610升"),
            L("ronshen", "十字对开门", (3699, 4199), model="BCD-529WD18HP", spec="529升"),
            L("tcl", "十字对开门", (2799, 3199), model="R455T9-UQ", spec="455升"),
            L("panasonic", "多门", (7499, 8499), model="NR-EW45TGB-W", spec="450升"),
            L("xiaomi", "米家对开门", (2799, 3199), model="BCD-610WMSA", spec="610升"),
        ],
    ),
    dict(
        key="空调",
        cat="家用电器/大家电/空调",
        style="appliance",
        spec_key="匹数",
        words=["空调", "空调挂机"],
        pts=["新一级能效", "变频冷暖", "壁挂式", "静音", "自清洁", "家用"],
        lines=[
            L("gree", "云佳", (2899, 3199), model="KFR-35GW/NhGc1B", spec="1.5匹", n=2),
            L("gree", "云锦III", (3499, 3899), model="KFR-35GW/NhAe1BAj", spec="1.5匹"),
            L("gree", "柜机", (7599, 8499), model="KFR-72LW/NhZiB1W", spec="3匹", word="立式空调"),
            L("midea", "风酷", (2399, 2699), model="KFR-35GW/N8XHC1", spec="1.5匹", n=2),
            L("midea", "酷省电", (2099, 2299), model="KFR-26GW/N8KS1-1", spec="大1匹"),
            L("haier", "静悦", (2599, 2899), model="KFR-35GW/01KBB81U1", spec="1.5匹"),
            L("tcl", "", (1899, 2199), model="KFR-35GW/RT2Ea+B1", spec="1.5匹"),
            L("aux", "", (1699, 1999), model="KFR-35GW/BpR3AQJ19(B1)", spec="1.5匹"),
            L("xiaomi", "米家巨省电", (2099, 2399), model="KFR-35GW/N1A1", spec="1.5匹"),
        ],
    ),
    dict(
        key="电视",
        cat="家用电器/大家电/电视",
        style="appliance",
        spec_key="屏幕尺寸",
        words=["电视", "液晶电视", "平板电视"],
        pts=["4K超高清", "120Hz高刷", "全面屏", "智能语音", "客厅", "投屏"],
        lines=[
            L("xiaomi", "Redmi", (1899, 2199), model="A65", spec="65英寸"),
            L("xiaomi", "Mini LED", (3999, 4599), model="S Pro 75", spec="75英寸"),
            L("tcl", "QD-Mini LED", (5499, 6299), model="75T7K", spec="75英寸", n=2),
            L("hisense", "", (3599, 3999), model="65E5K", spec="65英寸"),
            L("sony", "", (6499, 7499), model="XR-65X90L", spec="65英寸"),
            L("huawei", "智慧屏", (4999, 5999), model="S5 Pro", spec="65英寸"),
        ],
    ),
    dict(
        key="电动牙刷",
        cat="家用电器/个护电器/电动牙刷",
        style="appliance",
        spec_key="规格",
        pts=["声波震动", "成人", "软毛", "长续航", "礼盒", "情侣款"],
        lines=[
            L("philips", "", (199, 269), model="HX6730", n=2),
            L("philips", "钻石亮白", (1099, 1399), model="HX9911"),
            L("philips", "儿童", (199, 259), model="HX6322", ppl="儿童"),
            L("oralb", "", (1999, 2399), model="iO9"),
            L("oralb", "", (349, 449), model="Pro4"),
            L("usmile", "", (269, 329), model="Y1S"),
            L("xiaomi", "米家", (89, 119), model="T302"),
            L("panasonic", "", (299, 399), model="EW-DC01"),
        ],
    ),
    dict(
        key="吹风机",
        cat="家用电器/个护电器/吹风机",
        style="appliance",
        spec_key="规格",
        words=["吹风机", "电吹风"],
        pts=["负离子", "大风力", "速干", "护发", "家用", "恒温"],
        lines=[
            L("dyson", "", (2999, 3399), model="HD15", n=2),
            L("panasonic", "", (1199, 1399), model="EH-NA0J", o="日本"),
            L("xiaomi", "米家高速", (259, 329), model="H501"),
            L("laifen", "高速", (399, 599), model="SE", n=2),
            L("philips", "", (149, 199), model="BHD399"),
        ],
    ),
    dict(
        key="T恤",
        cat="服饰鞋包/男装/T恤",
        style="apparel",
        default_ppl="男士",
        words=["T恤", "短袖T恤", "t恤", "短袖"],
        seasons=["夏季", "2026夏季新款", "夏装", ""],
        sizes=["S", "M", "L", "XL", "XXL"],
        colors=["白色", "黑色", "藏青", "灰色"],
        pts=["圆领", "宽松", "百搭", "透气", "打底衫", "休闲"],
        lines=[
            L("uniqlo", "U系列", (79, 99), mat="纯棉", n=3),
            L("uniqlo", "AIRism", (59, 79), mat="涤纶"),
            L("nike", "Dri-FIT", (149, 229), mat="涤纶", extra_pts=["速干", "训练"], n=2),
            L("nike", "Sportswear", (169, 249), mat="纯棉"),
            L("adidas", "三条纹", (159, 219), mat="纯棉", n=2),
            L("adidas", "速干训练", (129, 199), mat="涤纶"),
            L("lining", "速干跑步", (89, 159), mat="涤纶", n=2),
            L("lining", "中国李宁", (129, 199), mat="纯棉"),
            L("anta", "冰丝", (59, 99), mat="涤纶"),
            L("hla", "", (69, 119), mat="纯棉", n=2),
            L("jackjones", "印花", (99, 169), mat="纯棉"),
            L("semir", "宽松", (49, 79), mat="纯棉"),
            L("bananain", "凉感", (89, 129), mat="莫代尔"),
            L(None, "重磅", (29, 49), mat="纯棉", n=2),
            L(None, "冰丝速干", (19, 29), mat="涤纶"),
        ],
    ),
    dict(
        key="连衣裙",
        cat="服饰鞋包/女装/连衣裙",
        style="apparel",
        default_ppl="女士",
        seasons=["2026夏季新款", "春夏", "夏季", ""],
        sizes=["S", "M", "L", "XL"],
        colors=["白色", "黑色", "碎花", "杏色", "蓝色"],
        pts=["气质", "显瘦", "收腰", "法式", "中长款", "通勤"],
        lines=[
            L("only", "雪纺碎花", (299, 459), mat="涤纶"),
            L("veromoda", "法式", (299, 499), mat="涤纶"),
            L("peacebird", "", (399, 599), mat="纯棉"),
            L("eifini", "", (499, 799), mat="醋酸"),
            L("wensli", "桑蚕丝", (899, 1599), mat="真丝", n=2),
            L("uniqlo", "亚麻混纺", (199, 249), mat="亚麻"),
            L(None, "", (59, 129), mat="纯棉", n=2),
            L(None, "雪纺", (39, 89), mat="涤纶"),
        ],
    ),
    dict(
        key="羽绒服",
        cat="服饰鞋包/羽绒服",
        style="apparel",
        default_ppl="男士",
        seasons=["冬季", "2026冬季新款", "秋冬", ""],
        sizes=["S", "M", "L", "XL", "XXL"],
        colors=["黑色", "米白", "藏青", "卡其"],
        pts=["加厚", "保暖", "连帽", "短款", "防风", "面包服"],
        lines=[
            L("bosideng", "极寒", (799, 1599), ppl="男士", mat="白鸭绒", n=2),
            L("bosideng", "长款", (999, 1899), ppl="女士", mat="白鸭绒", n=2),
            L("yaya", "", (399, 699), ppl="女士", mat="白鸭绒"),
            L("yaya", "", (359, 599), ppl="男士", mat="白鸭绒"),
            L("tnf", "1996 Nuptse", (2599, 2999), ppl="男女同款", mat="白鸭绒"),
            L("uniqlo", "轻型", (399, 499), ppl="男士", mat="白鸭绒"),
            L("canadagoose", "Shelburne", (8900, 11500), ppl="女士", mat="白鸭绒"),
            L("gaoman", "黑金鹅绒", (1599, 1999), ppl="女士", mat="白鹅绒"),
        ],
    ),
    dict(
        key="毛衣",
        cat="服饰鞋包/毛衣",
        style="apparel",
        default_ppl="女士",
        seasons=["秋冬", "2026秋冬新款", ""],
        sizes=["S", "M", "L", "XL"],
        colors=["燕麦色", "黑色", "驼色", "灰色"],
        pts=["圆领", "高领", "针织衫", "打底", "保暖", "宽松"],
        lines=[
            L("erdos", "", (1299, 1999), mat="羊绒", ppl="女士", n=2),
            L("uniqlo", "美利奴", (199, 299), mat="羊毛", ppl="男士"),
            L("hengyuanxiang", "", (199, 299), mat="羊毛", ppl="男士"),
            L(None, "", (69, 129), mat="腈纶", ppl="女士"),
        ],
    ),
    dict(
        key="跑步鞋",
        cat="运动户外/跑步鞋",
        style="apparel",
        default_ppl="男士",
        words=["跑步鞋", "跑鞋", "运动鞋"],
        seasons=["", "2026新款", "夏季"],
        sizes=["39", "40", "41", "42", "43", "44"],
        colors=["黑白", "白色", "荧光绿", "蓝色"],
        pts=["缓震", "轻便", "透气", "回弹", "马拉松", "防滑"],
        lines=[
            L("nike", "飞马40", (699, 899), model="Pegasus 40", n=2),
            L("nike", "", (1099, 1399), model="Invincible 3"),
            L("nike", "", (1599, 1899), model="Vaporfly 3", ppl="男女同款"),
            L("nike", "飞马40", (599, 799), model="Pegasus 40", ppl="女士"),
            L("adidas", "", (1099, 1399), model="Ultraboost Light", n=2),
            L("adidas", "", (899, 1099), model="Adizero Boston 12"),
            L("adidas", "", (1499, 1699), model="Adizero Adios Pro 3", ppl="男女同款"),
            L("lining", "赤兔6 Pro", (399, 499), n=2),
            L("lining", "飞电3 Challenger", (849, 999)),
            L("lining", "超轻21", (399, 459), ppl="女士"),
            L("anta", "C202 5代", (599, 699)),
            L("anta", "马赫4", (399, 499)),
            L("xtep", "160X 5.0", (899, 1099)),
            L("xtep", "两千公里", (269, 329), ppl="女士"),
            L("asics", "", (1099, 1399), model="GEL-KAYANO 30", n=2),
            L("asics", "", (1099, 1399), model="GEL-NIMBUS 26", ppl="女士"),
            L("asics", "", (749, 899), model="NOVABLAST 4"),
            L("newbalance", "", (1099, 1299), model="Fresh Foam X 1080v13"),
            L("hoka", "", (1099, 1299), model="Clifton 9", ppl="男女同款"),
            L("b361", "飞燃", (499, 599)),
            L(None, "网面透气", (59, 99)),
        ],
    ),
    dict(
        key="瑜伽垫",
        cat="运动户外/瑜伽垫",
        style="goods",
        spec_key="厚度",
        pts=["防滑", "加厚", "加宽", "家用", "健身垫", "TPE", "双面"],
        lines=[
            L("keep", "", (89, 129), spec="6mm", n=2),
            L("decathlon", "", (99, 149), spec="8mm", o=CN),
            L("lululemon", "", (688, 788), spec="5mm", o=CN),
            L(None, "", (29, 49), spec="10mm", n=2),
        ],
    ),
    dict(
        key="零食",
        cat="食品饮料/休闲零食",
        style="goods",
        spec_key="净含量",
        pts=["办公室零食", "休闲小吃", "网红零食", "独立小包装", "年货", "送礼"],
        lines=[
            L("squirrel", "", (99, 139), word="每日坚果", spec="750g/30包", dup=True, n=2),
            L("squirrel", "奶油味", (39, 59), word="夏威夷果", spec="500g"),
            L("squirrel", "", (29, 39), word="猪肉脯", spec="210g"),
            L("bestore", "靖江风味", (25, 35), word="猪肉脯", spec="200g", n=2),
            L("bestore", "手撕", (39, 59), word="牛肉干", spec="250g"),
            L("bestore", "", (89, 129), word="每日坚果", spec="750g/30袋"),
            L("baicaowei", "", (35, 49), word="碧根果", spec="500g"),
            L("qiaqia", "原香", (14.9, 19.9), word="瓜子", spec="500g"),
            L("qiaqia", "小黄袋", (99, 139), word="每日坚果", spec="26g*30袋"),
            L("lays", "原味", (7.9, 9.9), word="薯片", spec="104g", o=CN),
            L("weilong", "大面筋", (9.9, 19.9), word="辣条", spec="106g*5包"),
        ],
    ),
    dict(
        key="咖啡",
        cat="食品饮料/咖啡",
        style="goods",
        spec_key="净含量",
        pts=["提神", "冻干", "美式", "无蔗糖", "办公室", "冲调"],
        lines=[
            L("nestle", "1+2原味", (79, 109), o=CN, word="速溶咖啡", spec="15g*100条", n=2),
            L("nestle", "金牌", (69, 99), o=CN, word="黑咖啡", spec="100g"),
            L("saturnbird", "超即溶精品", (139, 179), word="咖啡", spec="24颗", n=2),
            L("ucc", "117速溶", (49, 69), word="黑咖啡", spec="90g"),
            L("maxim", "摩卡", (89, 119), word="速溶咖啡", spec="12g*100条"),
            L("starbucks", "派克市场", (89, 119), word="咖啡豆", spec="250g"),
        ],
    ),
    dict(
        key="大米",
        cat="食品饮料/粮油/大米",
        style="goods",
        spec_key="净含量",
        pts=["东北大米", "新米", "粳米", "当季新米", "真空包装", "家庭装"],
        lines=[
            L("arawana", "乳玉皇妃", (39, 59), spec="5kg"),
            L("fortune", "东北", (35, 49), spec="10斤", n=2),
            L("shiyuedaotian", "五常稻花香", (89, 129), spec="10kg"),
            L("chaihuo", "五常", (49, 69), spec="2.5kg"),
            L(None, "农家", (29, 39), spec="10斤"),
        ],
    ),
    dict(
        key="奶粉",
        cat="母婴/奶粉",
        style="goods",
        spec_key="净含量",
        words=["奶粉", "婴幼儿奶粉", "配方奶粉"],
        pts=["婴幼儿配方", "罐装", "新国标", "宝宝", "营养"],
        lines=[
            L("feihe", "星飞帆", (198, 268), spec="700g", stage="3段", n=2),
            L("feihe", "臻稚有机", (299, 369), spec="700g", stage="3段"),
            L("aptamil", "卓萃", (298, 368), spec="900g", stage="3段", n=2),
            L("a2", "至初", (238, 289), spec="900g", stage="3段"),
            L("wyeth", "启赋蓝钻", (338, 398), spec="810g", stage="3段", o="爱尔兰"),
            L("junlebao", "乐铂", (149, 199), spec="800g", stage="3段"),
            L("yili", "金领冠珍护", (198, 258), spec="800g", stage="2段"),
            L("meadjohnson", "蓝臻", (318, 368), spec="820g", stage="3段", o="荷兰"),
            L("biostime", "派星", (268, 329), spec="800g", stage="2段", o="法国"),
        ],
    ),
    dict(
        key="纸尿裤",
        cat="母婴/尿裤湿巾/纸尿裤",
        style="goods",
        spec_key="尺码",
        pts=["超薄透气", "干爽", "新生儿", "瞬吸", "防漏", "婴儿"],
        lines=[
            L("pampers", "一级帮", (139, 169), o="日本", spec="M号50片", dup=True, n=2),
            L("pampers", "清新帮", (99, 129), o=CN, word="拉拉裤", spec="L号"),
            L("merries", "", (109, 139), spec="L54片", n=2),
            L("mamypoko", "", (69, 99), o=CN, word="拉拉裤", spec="XL38片"),
            L("huggies", "心钻装", (139, 179), o="韩国", spec="M号"),
            L("huggies", "铂金装", (99, 139), o=CN, word="拉拉裤", spec="XL号"),
            L("goon", "天使", (119, 159), spec="S号"),
            L("babycare", "Air pro", (99, 139), spec="L号"),
            L(None, "", (39, 59), o=CN, spec="XL号100片"),
        ],
    ),
    dict(
        key="收纳",
        cat="家居日用/收纳",
        style="goods",
        spec_key="规格",
        pts=["抽屉式", "加厚", "大号", "衣柜", "家用", "可叠加"],
        lines=[
            L("tenma", "", (59, 99), word="收纳箱", o=CN, spec="45L", n=2),
            L("citylong", "", (39, 69), word="收纳箱", spec="55L"),
            L("iris", "", (49, 89), word="收纳盒", o=CN, spec="3个装"),
            L("muji", "PP", (39, 129), word="收纳盒", o=CN, spec="小号", n=2),
            L("taili", "", (59, 89), word="真空压缩袋", spec="8件套"),
            L(None, "", (19, 39), word="收纳箱", spec="3个装", n=2),
            L(None, "", (9.9, 19.9), word="收纳袋", spec="5个装"),
        ],
    ),
    dict(
        key="四件套",
        cat="家居日用/床上用品/四件套",
        style="goods",
        spec_key="适用床尺寸",
        pts=["床单被套", "裸睡", "亲肤", "简约", "ins风", "四季通用"],
        lines=[
            L("luolai", "60支长绒棉", (499, 899), mat="纯棉", spec="1.8m床", n=2),
            L("fuanna", "贡缎", (399, 699), mat="纯棉", spec="1.8m床"),
            L("mercury", "", (199, 399), mat="纯棉", spec="1.5m床"),
            L("mendale", "桑蚕丝", (1599, 2599), mat="真丝", spec="1.8m床"),
            L("muji", "水洗棉", (399, 599), mat="纯棉", spec="1.5m床", o=CN),
            L("beyond", "", (299, 499), mat="天丝", spec="1.8m床"),
            L(None, "磨毛", (59, 99), mat="涤纶", spec="1.5m床", n=2),
        ],
    ),
    dict(
        key="洗衣液",
        cat="家居日用/清洁/洗衣液",
        style="goods",
        spec_key="净含量",
        pts=["持久留香", "深层洁净", "机洗手洗", "家庭装", "低泡易漂", "护色"],
        lines=[
            L("bluemoon", "深层洁净", (49, 69), spec="3kg", n=2),
            L("liby", "", (39, 59), spec="10斤"),
            L("omo", "", (39, 59), spec="3kg"),
            L("tide", "", (45, 69), spec="3kg"),
            L("walch", "除菌", (59, 79), spec="2L"),
        ],
    ),
    dict(
        key="猫粮",
        cat="宠物用品/猫粮",
        style="goods",
        spec_key="净含量",
        pts=["全价", "营养", "增肥发腮", "英短美短", "通用型", "冻干"],
        lines=[
            L("royalcanin", "I27室内成猫", (169, 209), o=CN, spec="2kg", n=2),
            L("royalcanin", "K36幼猫", (199, 249), spec="2kg"),
            L("royalcanin", "BK34英短成猫", (359, 419), spec="10kg"),
            L("orijen", "六种鱼", (398, 468), spec="1.8kg"),
            L("acana", "农场盛宴", (299, 369), spec="1.8kg"),
            L("proplan", "成猫", (389, 459), o=CN, spec="7kg"),
            L("myfoodie", "佰萃", (69, 99), spec="1.5kg", n=2),
            L("naturebridge", "", (89, 129), spec="10斤"),
            L("whiskas", "海洋鱼味", (129, 159), o=CN, spec="10kg"),
            L(None, "全价", (39, 69), o=CN, spec="10斤"),
        ],
    ),
    dict(
        key="狗粮",
        cat="宠物用品/狗粮",
        style="goods",
        spec_key="净含量",
        pts=["小型犬", "泰迪", "全犬种", "成犬", "美毛", "通用型"],
        lines=[
            L("royalcanin", "小型犬成犬", (169, 219), o=CN, spec="2kg"),
            L("royalcanin", "贵宾成犬", (229, 269), spec="3kg"),
            L("naturebridge", "", (99, 139), spec="15kg"),
            L("myfoodie", "", (89, 119), spec="10kg"),
            L("pedigree", "", (89, 129), o=CN, spec="10kg"),
            L("purenatural", "", (199, 269), spec="10kg"),
        ],
    ),
    dict(
        key="行车记录仪",
        cat="汽车用品/行车记录仪",
        style="appliance",
        spec_key="分辨率",
        pts=["高清夜视", "前后双录", "停车监控", "无线", "语音声控", "免安装"],
        lines=[
            L(
                "blackview",
                "",
                (129, 179),
                model="XR-120",
                spec="1080P",
                dup=True,
                n=1,
                malts=["XR-120", "xr-120"],
                titles=["凌度行车记录仪XR120 高清夜视 前后双录 免安装 24小时停车监控 汽车用品"],
            ),
            L("blackview", "", (199, 259), model="A71", spec="2K"),
            L("mai70", "", (299, 399), model="A500S", spec="4K", n=2),
            L("ddpai", "", (399, 499), model="Mola N3 Pro", spec="2K"),
            L("qihoo360", "", (199, 259), model="G300", spec="1080P"),
            L(None, "", (59, 99), spec="1080P"),
        ],
    ),
    dict(
        key="机油",
        cat="汽车用品/机油",
        style="appliance",
        spec_key="净含量",
        words=["机油", "润滑油", "汽车机油"],
        pts=["汽车保养", "SP级", "全合成", "四季通用", "抗磨损"],
        lines=[
            L("mobil", "美孚1号", (399, 469), visc="0W-40", spec="4L", n=2),
            L("mobil", "速霸2000", (189, 229), visc="5W-30", spec="4L"),
            L("castrol", "极护", (329, 389), visc="5W-30", spec="4L", n=2),
            L("shell", "超凡喜力", (269, 329), visc="0W-20", spec="4L"),
            L("shell", "蓝喜力", (129, 169), visc="5W-40", spec="4L"),
        ],
    ),
]

# ---------------------------------------------------------------------------
# Title and attribute vocabulary
# ---------------------------------------------------------------------------
EFFECT_PHRASES = {
    "补水": ["补水", "深层补水", "补水保湿"],
    "保湿": ["保湿", "长效保湿", "锁水保湿"],
    "美白": ["美白", "淡斑美白", "美白提亮"],
    "提亮": ["提亮肤色", "提亮"],
    "控油": ["控油", "清爽控油", "控油去油"],
    "祛痘": ["祛痘", "清痘", "控痘"],
    "抗皱": ["抗皱", "淡纹", "抗皱紧致"],
    "紧致": ["紧致", "紧致提拉"],
    "舒缓": ["舒缓修护", "舒缓泛红"],
    "遮瑕": ["遮瑕", "自然遮瑕"],
    "防晒": ["防晒", "防紫外线"],
    "清洁": ["深层清洁", "温和清洁"],
    "修护": ["修护", "屏障修护"],
}
SKIN_PHRASES = {
    "油皮": ["油皮适用", "油性肌肤"],
    "干皮": ["干皮救星", "干性肌肤"],
    "敏感肌": ["敏感肌可用", "敏感肌"],
}
SKIN_ATTR = {"油皮": "油性", "干皮": "干性", "敏感肌": "敏感性", "混合皮": "混合性"}
MAT_TEXT = {
    "纯棉": ["纯棉", "100%纯棉", "全棉"],
    "涤纶": ["涤纶", "速干涤纶"],
    "真丝": ["真丝", "100%桑蚕丝"],
    "羊毛": ["羊毛", "美利奴羊毛"],
    "羊绒": ["纯羊绒", "羊绒"],
    "莫代尔": ["莫代尔"],
    "亚麻": ["亚麻"],
    "醋酸": ["醋酸"],
    "腈纶": ["针织"],
    "天丝": ["天丝", "莱赛尔天丝"],
    "白鸭绒": ["90白鸭绒", "白鸭绒"],
    "白鹅绒": ["95白鹅绒", "鹅绒"],
}
# what counts as "the listing says so" when deciding grade 2 vs 1
MAT_SYNONYMS = {"纯棉": ["纯棉", "全棉", "100%棉"], "涤纶": ["涤纶", "聚酯纤维"]}
PPL_TEXT = {
    "default": {
        "男士": ["男士", "男装", "男款", "男"],
        "女士": ["女士", "女装", "女款", "女"],
        "男女同款": ["男女同款", "情侣款"],
    },
    "跑步鞋": {
        "男士": ["男鞋", "男款", "男子"],
        "女士": ["女鞋", "女款", "女子"],
        "男女同款": ["男女同款", "情侣款"],
    },
}
STAGE_AGE = {"1段": "0-6个月", "2段": "6-12个月", "3段": "12-36个月"}
COMPAT_TEXT = {
    "iPhone 15 Pro Max": ["iPhone 15 Pro Max", "iPhone15ProMax", "苹果15promax"],
    "iPhone 15 Pro": ["iPhone 15 Pro", "苹果15pro"],
    "iPhone 15": ["iPhone 15", "苹果15"],
    "Mate60 Pro": ["Mate60 Pro", "mate60pro", "华为Mate60Pro"],
    "小米14": ["小米14", "xiaomi14"],
}
PROMOS = [
    "【官方正品】",
    "【官方旗舰店】",
    "【顺丰包邮】",
    "【新品上市】",
    "【限时特惠】",
    "【现货速发】",
    "【百亿补贴】",
    "【直播专享】",
]
STYLE_PROMOS = {
    "beauty": ["【赠小样】", "【专柜正品】"],
    "goods": ["【囤货装】"],
    "tech": ["【国行正品】", "【12期免息】"],
    "appliance": ["【以旧换新】", "【送货入户】"],
    "apparel": ["【季末清仓】"],
}
ORIGIN_PHRASES = ["{o}进口", "{o}原装进口", "{o}产"]
PATTERNS = {
    "beauty": [
        "{promo}{brand}{series}{word}{spec} {pts}",
        "{brand} {series}{word} {spec} {pts2} {origin}",
        "{promo}{origin}{brand}{word} {series}{spec} {pts}",
        "{series}{word}{spec} {brand}正品 {pts}",
    ],
    "goods": [
        "{promo}{brand}{series}{mat}{word}{spec} {pts}",
        "{brand} {series}{mat}{word} {spec} {pts2} {origin}",
        "{promo}{origin}{brand}{mat}{word}{series} {spec} {pts}",
    ],
    "tech": [
        "{promo}{brand} {sm} {word} {spec} {pts} {color}",
        "{brand}{sm}{word} {spec} {pts2}",
        "{promo}{brand} {sm} {pts} {word} {spec}",
    ],
    "appliance": [
        "{promo}{brand} {model} {series}{word} {spec} {pts}",
        "{brand}{series}{word}{model} {spec} {pts2}",
        "{promo}{brand}{series}{word} {model} {spec} {pts}",
    ],
    "apparel": [
        "{promo}{brand}{season}{ppl}{mat}{sm}{word} {pts} {code}",
        "{brand} {ppl}{sm}{mat}{word} {pts2} {color}",
        "{season} {brand}{mat}{sm}{word}{ppl} {pts}",
    ],
}
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
        if (
            out
            and piece
            and out[-1].isascii()
            and out[-1].isalnum()
            and piece[0].isascii()
            and piece[0].isalnum()
        ):
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
        lambda f, r: (
            (2 if f["ppl"] == "男士" else 1) if f["brand"] == "loreal" and f["kind"] == "洗面奶" else 0
        ),
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
                events.append(
                    {"user_id": s["user_id"], "product_id": records[item]["id"], "event": step, "ts": ts}
                )
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
        vocab = {
            ln.split("\t")[0].lower()
            for ln in words_txt.read_text(encoding="utf-8").splitlines()
            if ln.strip()
        }
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
            if (
                f["ppl"] in ("男士", "孕妇")
                and f["kind"] in ("面霜", "隔离霜", "洗面奶")
                and f["ppl"] not in t
            ):
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
    catalog = {
        json.loads(x)["id"]: json.loads(x) for x in (SAMPLE_DIR / "catalog.jsonl").open(encoding="utf-8")
    }
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
