"""Numeral, currency and unit cues shared by every query-understanding rule.

One place for the character classes and patterns that the price reader, the exclusion
reader, the grounding of model answers and the spelling corrector all need, so they
agree on what a number, a currency word or a measure word is (``壹贰`` financial
numerals included everywhere, one list of measure words).

Patterns expect normalised text (NFKC, Simplified, lower-case Latin, single spaces).
"""

from __future__ import annotations

import re

__all__ = [
    "CN_NUMERALS",
    "CURRENCY_RE",
    "NUMBER_CHAR_RE",
    "NUMBER_RE",
    "NUMERAL_CHARS",
    "UNIT_AFTER_RE",
    "UNIT_UNITS",
]

#: Chinese numeral characters: digits (plain and financial), units, 两, 〇 and 萬.
CN_NUMERALS = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟萬"
#: Every character that can be part of a written number (a spelling edit never touches one).
NUMERAL_CHARS = frozenset(CN_NUMERALS)
#: The unit characters of Chinese numerals (a lone 百 or 万 is a unit, not a value).
UNIT_UNITS = "十百千万亿拾佰仟萬"

#: A numeral: Arabic with an optional multiplier (``1.5万``, ``3k``, ``2千5``) or Chinese.
NUMBER_RE = re.compile(
    r"(?P<ar>[0-9]+(?:\.[0-9]+)?"
    r"(?:[kKwW](?![a-zA-Z])|[十百千万亿](?:[0-9]|[零一二两三四五六七八九十百千])*)?)"
    rf"|(?P<cn>[{CN_NUMERALS}]+)"
)
#: A character whose change would change a number (Latin k/w: 3k, 5w).
NUMBER_CHAR_RE = re.compile(rf"[0-9.{CN_NUMERALS}kw]")
#: A currency word right after a number (元 not starting another word: 元素, 元宵, 元旦...).
CURRENCY_RE = re.compile(r" ?(?:块钱|元钱|元(?![素宵旦气件器年月代朝])|块|rmb|人民币)")
#: A letter, digit or measure word right after a number: a spec (500ml, 10斤, 3岁), not a price.
UNIT_AFTER_RE = re.compile(
    r"[a-zA-Z0-9.%°℃]|[岁月天年周日号码寸斤公克两吨磅米厘毫分升片个只件条包盒袋瓶支罐箱双套张本页粒颗"
    r"人匹度瓦伏安核层门代级秒时点倍位档挡段平方立座口头针线枚根次遍集部台辆间室厅楼组副对把串卷桶壶杯碗盘"
    r"抽孔键轴色期课节章英像兆帧]"
)
