"""Rule-based extraction of exclusions ("不要日本产的", "除了华为") from Chinese shopping queries.

``extract_exclusions`` returns what the user does not want, cleaned, with the span of the
whole expression (cue word, phrase and trailing 的/filler) so the caller can remove it from
the keywords.

Cue words: 不要, 不想要, 不需要, 不喜欢, 不含, 不包含, 不包括, 不带, 不是, 除了, 除去, 排除,
别要, 别是, and 非.

Decisions on the ambiguous cases:

* **The phrase** X runs from the cue (after one optional space) to the first space,
  punctuation, ``的``, another cue, ``以外``/``之外``/``还有``/``其他``/``其它``/``别的``/``以及``,
  or the end. Trailing filler (``都行``, ``都可以``, ``就行``, ``即可``, ``了``, ``吧``, ``呢``, …)
  is stripped. ``不要日本产的`` → ``日本产`` (产 is kept; only 的 is dropped).
* **Brands**: ``除了华为的手机`` → ``华为``. No brand list is available here, so the
  heuristic is simply that X stops before ``的``; the span covers ``除了华为的``.
* **含/带 after the cue** is stripped when at least two characters remain:
  ``不要含硅油的`` → ``硅油``, like ``不含硅油`` → ``硅油``; ``不要带鱼`` keeps ``带鱼``.
  The phrase is *what* to exclude; the caller must not drop products whose title says
  ``无硅油``/``不含硅油`` because they mention 硅油.
* **别** alone is not a cue (特别, 区别, 别克, 别墅, 别针 …); only ``别要``/``别是`` are.
* **非** is a cue only at the start of the text or after a space/punctuation, and not in
  fixed words that are product claims or ordinary words: 非转基因, 非油炸, 非浓缩还原,
  非处方, 非常, 非洲, 非遗, … (see ``_FEI_WORDS``). ``非日本产`` → ``日本产``.
* Words that merely start with 不 (不锈钢, 不粘锅, 不倒翁, 不干胶) never match because
  every 不-cue is a two-character word; ``无糖`` is not an exclusion (无 is not a cue).
* **Questions** ``要不要``, ``是不是``, ``带不带``, ``含不含`` are not exclusions.
* **Preferences, not exclusions**: a phrase starting with a degree or comparison word
  (``不要太甜``, ``不是很贵``, ``不要超过200``) is skipped; prices are the price parser's job.
* **除了 … 还要/也** means "besides" (inclusive): ``除了面霜还要眼霜`` gives nothing, while
  ``除了华为还有什么手机`` / ``除了华为其他都行`` exclude 华为.
* **Lists**: ``不要日本、韩国产的`` → ``日本``, ``韩国产``; items are split on ``、``, ``/``
  and ``或``, each with its own non-overlapping span (the first includes the cue).
  ``和`` does not split (和田玉).
* Phrases longer than 16 characters are not trusted and skipped. Post-posed negation
  (``日本产的不要``) is not handled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Exclusion", "extract_exclusions"]

_MAX_PHRASE_LEN = 16

_CUE_RE = re.compile(r"不想要|不需要|不喜欢|不要|不含|不包含|不包括|不带|不是|除了|除去|排除|别要|别是|非")
# Fixed words starting with 非 that are not exclusions.
_FEI_WORDS = (
    "非转基因", "非油炸", "非浓缩", "非处方", "非常", "非洲", "非遗", "非标", "非凡", "非得", "非法",
    "非主流", "非卖品", "非晶", "非对称", "非接触", "非离子", "非织造", "非金属", "非诚勿扰", "非物质",
    "非典", "非同", "非线性", "非球面", "非全日制", "非牛顿", "非变频", "非那雄胺", "非酒精", "非甾体",
)  # fmt: skip
# A run of word characters (letters, digits, CJK); underscores excluded.
_WORD_RUN_RE = re.compile(r"[^\W_]+")
_STOP_RE = re.compile(r"的|以外|之外|还有|其他|其它|别的|以及")
_CONSUMED_STOP_RE = re.compile(r"(?:以外|之外)?的?")
_RUN_SEP_RE = re.compile(r"[、/]")
_LIST_SEP_RE = re.compile(r"[、/]|或(?!者)|或者")
_FILLER_RE = re.compile(r"(?:都行|都可以|都可|就行|就好|即可|均可|也行|也可以|了|吧|呢|啊|呀|哦|喔|哈)+$")
_LEADING_VERB_RE = re.compile(r"^(?:含有|含|带有|带)")
_SKIP_START_RE = re.compile(
    r"(?:很|太|特别|非常|那么|这么|过于|超过|高于|低于|少于|多于|大于|小于|贵|便宜|[0-9]|一定|要|能|会|用|去|买)"
)
# After 除了X: "还要/也要 …" means "besides X" (inclusive), unlike "还有什么/其他" (other than X).
_INCLUSIVE_RE = re.compile(r"还要|还想|还需|还得|还买|还送|还带|也(?!行|可)")
_INCLUSIVE_AFTER_RE = re.compile(r"(?:以外|之外)?[,;]? ?(?:还要|还想|还需|还得|还买|还送|还带|也(?!行|可))")


@dataclass(frozen=True)
class Exclusion:
    """Something the user does not want.

    Attributes:
        phrase: What to exclude, cleaned (``'日本产'`` from ``'不要日本产的'``).
        span: ``[start, end)`` of the whole expression including the cue word.
    """

    phrase: str
    span: tuple[int, int]


def extract_exclusions(text: str) -> list[Exclusion]:
    """Find exclusion expressions in a normalised query.

    Args:
        text: The query, normalised (NFKC, Simplified, lower-case, single spaces).

    Returns:
        The exclusions in text order, with non-overlapping spans; empty when there are
        none or the input is not a string. See the module docstring for the rules.
    """
    if not isinstance(text, str) or not text:
        return []
    return _extract(text)


def _extract(text: str) -> list[Exclusion]:
    """Implementation of :func:`extract_exclusions` without the safety net."""
    found: list[Exclusion] = []
    pos = 0
    while True:
        cue = _CUE_RE.search(text, pos)
        if cue is None:
            return found
        if not _is_cue(text, cue):
            pos = cue.start() + 1
            continue
        items, end = _read_phrase(text, cue)
        found.extend(items)
        pos = end if items else cue.end()


def _is_cue(text: str, cue: re.Match[str]) -> bool:
    """Reject questions (要不要), 非 inside words and fixed 非-words."""
    start = cue.start()
    word = cue.group()
    if word == "非":
        if start > 0 and _is_word_char(text[start - 1]):
            return False
        return not text.startswith(_FEI_WORDS, start)
    # 要不要, 是不是, 带不带, 含不含, 需不需要: a question, not a negation.
    return not (word[0] == "不" and start > 0 and text[start - 1] == word[1])


def _is_word_char(ch: str) -> bool:
    """Letters, digits and CJK characters (not spaces, punctuation or underscores)."""
    return ch.isalnum()


def _read_phrase(text: str, cue: re.Match[str]) -> tuple[list[Exclusion], int]:
    """Read the phrase after ``cue``; returns the exclusions found and where the expression ends."""
    start = cue.end()
    if text.startswith(" ", start):
        start += 1
    # Longer runs cannot give a phrase short enough; bounding the match keeps long inputs linear.
    run = _WORD_RUN_RE.match(text, start, start + _MAX_PHRASE_LEN + 1)
    if run is None:
        return [], cue.end()
    stop = _phrase_stop(text, start, run.end())
    raw = text[start:stop]
    if not raw or len(raw) > _MAX_PHRASE_LEN or _SKIP_START_RE.match(raw):
        return [], cue.end()
    consumed = _CONSUMED_STOP_RE.match(text, stop)
    end = consumed.end() if consumed is not None else stop
    if cue.group() in ("除了", "除去") and _inclusive(text, start, run.end()):
        return [], cue.end()
    items = _split_items(text, cue.start(), start, stop, end)
    return items, end if items else cue.end()


def _inclusive(text: str, start: int, run_end: int) -> bool:
    """True when 除了X is followed by 还要/也, i.e. means "besides X" rather than "other than X"."""
    if _INCLUSIVE_RE.search(text, start, run_end):
        return True
    return _INCLUSIVE_AFTER_RE.match(text, run_end) is not None


def _phrase_stop(text: str, start: int, run_end: int) -> int:
    """End of the phrase that starts at ``start``.

    The phrase ends at the first stop word (的, 以外, …) or further cue inside the word run,
    else at the run end. A list separator (、 or /) right at the run end continues the
    phrase into the next run (日本、韩国产) unless that run starts with a cue;
    ``_split_items`` splits the list later. The scan gives up after ``_MAX_PHRASE_LEN``
    characters.
    """
    origin = start
    while True:
        stop = _first_stop(text, start, run_end)
        if stop != run_end or stop - origin > _MAX_PHRASE_LEN:
            return stop
        sep = _RUN_SEP_RE.match(text, stop)
        more = _WORD_RUN_RE.match(text, sep.end()) if sep is not None else None
        if more is None or _first_stop(text, more.start(), more.end(), skip_first=False) == more.start():
            return stop
        start, run_end = more.start(), more.end()


def _first_stop(text: str, start: int, end: int, skip_first: bool = True) -> int:
    """Position of the first stop word or cue in ``text[start:end]``, else ``end``.

    Args:
        text: The query.
        start: Start of the word run.
        end: End of the word run.
        skip_first: Ignore a cue right at ``start`` (the phrase itself may not be empty).
    """
    stop = end
    stop_word = _STOP_RE.search(text, start, stop)
    if stop_word is not None:
        stop = stop_word.start()
    next_cue = _CUE_RE.search(text, start + 1 if skip_first else start, stop)
    while next_cue is not None and not _is_cue(text, next_cue):
        next_cue = _CUE_RE.search(text, next_cue.start() + 1, stop)
    return next_cue.start() if next_cue is not None else stop


def _split_items(text: str, cue_start: int, start: int, stop: int, end: int) -> list[Exclusion]:
    """Split ``text[start:stop]`` on list separators into cleaned exclusions with disjoint spans."""
    pieces: list[tuple[int, int]] = []
    piece_start = start
    for sep in _LIST_SEP_RE.finditer(text, start, stop):
        pieces.append((piece_start, sep.start()))
        piece_start = sep.end()
    pieces.append((piece_start, stop))
    items: list[Exclusion] = []
    span_start = cue_start
    for index, (a, b) in enumerate(pieces):
        phrase = _clean(text[a:b])
        span_end = end if index == len(pieces) - 1 else b
        if phrase:
            items.append(Exclusion(phrase, (span_start, span_end)))
            span_start = span_end
    return items


def _clean(raw: str) -> str:
    """Strip filler at the end and a leading 含/带 (when at least two characters remain)."""
    phrase = _FILLER_RE.sub("", raw.strip())
    stripped = _LEADING_VERB_RE.sub("", phrase)
    if len(stripped) >= 2:
        phrase = stripped
    return phrase
