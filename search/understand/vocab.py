"""The query-side vocabulary: what the rule parser can recognise, built once from a :class:`Lexicon`.

Everything is grounded in the catalog:

* **Brands**: every alias of every brand, with a *strength*. Brands that have products
  in the catalog (``Brand.count > 0``) are *strong*. Brands known only from a brand
  dictionary are *weak*: published gazetteers are noisy (``生活品``, ``灯串``, ``家用``),
  so a weak alias is dropped when it is also a product word, category leaf or
  attribute value, when it is a common catalog word (in more than
  :data:`WEAK_ALIAS_MAX_TITLES` titles without ever being a product's brand), when it
  is a common Chinese word (listed in jieba's general dictionary: ``周杰伦``,
  ``一站式``), when it is shorter than 3 characters, or when it is Latin and the brand
  has no other alias (a lone ``mini``, ``black`` or ``baby`` in a gazetteer).
  Strong aliases must be backed by enough products: Latin ones of 1-2 letters or
  digits-only ones by :data:`SHORT_LATIN_MIN_PRODUCTS`, 3 letters by 2, and Chinese
  ones by :data:`ESTABLISHED_BRAND_PRODUCTS` or by :data:`BRAND_SHARE` of the titles
  that contain the word (``置物架`` is the brand of one product but appears in 97
  titles: a common word). The product count of an alias is that of every brand
  listing it. Placeholder brands (``other/其他``,
  ``无品牌``) and one-character aliases are never used. An alias shared by several
  brands goes to the one with the most products; on a tie it is dropped.
* **Product words**: ``Lexicon.product_words`` and category leaves (one-character ones,
  like ``鞋``, only count where the segmenter keeps them as a word: see ``rules.py``).
* **Categories**: each product word maps to the catalog category paths whose leaf is
  that word, or else (Chinese puts the head noun last) whose leaf ends with it
  (``床垫`` -> ``大百货/乳胶床垫``) or is the end of it (``智能手机`` -> ``消费电子/手机``;
  leaves of 2+ characters), at most :data:`MAX_CATEGORIES` of them.
* **Attributes**: values of ``Lexicon.attribute_synonyms`` groups (canonical = first of
  the group) and, for well-known attribute names (:data:`WELL_KNOWN_ATTRIBUTES`), the
  catalog's own attribute values, split on commas and cleaned (values that are product
  words are left out: ``适用对象=手机``). Small built-in groups
  for 人群 and 肤质 are used only when the dictionary has no groups of that name.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from search.text.analyzer import common_words
from search.text.lexicon import Lexicon
from search.text.normalize import normalize
from search.text.pinyin import syllables
from search.understand.matcher import DictionaryMatcher, Entry, fold, is_latin

__all__ = ["BrandRef", "QueryVocabulary", "WELL_KNOWN_ATTRIBUTES"]

WEAK_ALIAS_MAX_TITLES = 3
WEAK_ALIAS_MIN_LEN = 3
BRAND_SHARE = 0.25
ESTABLISHED_BRAND_PRODUCTS = 10
SHORT_LATIN_MIN_PRODUCTS = 5
MAX_CATEGORIES = 5
#: a word seen this often in titles or past queries is spelled right (grounding never edits it)
KNOWN_MIN_COUNT = 2
KNOWN_MAX_LEN = 8

#: Brand strings that mean "no brand": never recognised as a brand mention.
PLACEHOLDER_BRANDS = frozenset(
    {
        "other", "others", "其他", "其它", "其他品牌", "other/其他", "其他/other", "无", "无品牌", "无牌",
        "none", "null", "n/a", "na", "oem", "不详", "未知", "通用", "杂牌", "国产", "定制", "自制", "diy",
        "见描述", "详见描述", "如图", "见详情",
    }
)  # fmt: skip

#: Catalog attribute name -> the name the parser reports it under.
WELL_KNOWN_ATTRIBUTES = {
    "功效": "功效",
    "人群": "人群",
    "适用人群": "人群",
    "适用对象": "人群",
    "适用性别": "人群",
    "材质": "材质",
    "面料": "材质",
    "面料材质": "材质",
    "产地": "产地",
    "颜色": "颜色",
    "颜色分类": "颜色",
    "肤质": "肤质",
    "适合肤质": "肤质",
    "适用肤质": "肤质",
    "风格": "风格",
    "口味": "口味",
    "适用季节": "季节",
}

#: Built-in groups, used only when ``Lexicon.attribute_synonyms`` has none of that name.
DEFAULT_GROUPS: dict[str, list[list[str]]] = {
    "人群": [
        ["男士", "男款", "男式", "男性"], ["女士", "女款", "女式", "女性"], ["儿童", "小孩", "孩子", "童款"],
        ["婴儿", "婴幼儿", "新生儿"], ["宝宝"], ["孕妇", "孕产妇", "孕期"], ["学生", "学生党"],
        ["中老年", "老年人", "老人"], ["男童", "男孩"], ["女童", "女孩"], ["情侣"], ["青少年"],
    ],
    "肤质": [
        ["油皮", "油性皮肤", "油性肌肤", "油性肤质"], ["干皮", "干性皮肤", "干性肌肤", "干性肤质"],
        ["混合皮", "混油皮", "混干皮", "混合性皮肤", "混合性肤质"], ["敏感肌", "敏感皮肤", "敏感肌肤", "敏感性肤质"],
    ],
}  # fmt: skip

_VALUE_SPLIT = re.compile(r"[,，;；、]")
_BAD_VALUE = re.compile(r"[0-9]|其他|其它|other|见描述|详见|通用|不限|以上|以下|均码|【|\(|（")
_HAS_CJK = re.compile(r"[\u4e00-\u9fff]")
_LEAF_SPLIT = re.compile(r"[()（）]")
_LATIN_TOKEN_RE = re.compile(r"[a-z][a-z0-9'&.-]*")


@dataclass(frozen=True)
class BrandRef:
    """A brand the parser can report: key, display name, product count and strength."""

    key: str
    name: str
    count: int

    @property
    def strong(self) -> bool:
        """True when the brand has products in the catalog."""
        return self.count > 0


@dataclass
class _GroundingIndex:
    """Lookups for grounding a language model's answer, built on first use."""

    aliases: dict[str, str]
    by_length: dict[int, list[str]]
    leaves: dict[str, list[str]]
    synonyms: dict[str, set[str]]
    pinyin: dict[str, str] = field(default_factory=dict)
    known: frozenset[str] | None = None

    @classmethod
    def of(cls, lexicon: Lexicon) -> _GroundingIndex:
        aliases = lexicon.aliases()
        by_length: dict[int, list[str]] = {}
        for alias in aliases:
            by_length.setdefault(len(alias), []).append(alias)
        leaves: dict[str, list[str]] = {}
        for path in lexicon.categories:
            leaves.setdefault(path.rsplit("/", 1)[-1], []).append(path)
        synonyms: dict[str, set[str]] = {}
        for groups in lexicon.attribute_synonyms.values():
            for group in groups:
                for value in group:
                    synonyms.setdefault(value, set()).update(group)
        return cls(aliases, by_length, leaves, synonyms)


@dataclass
class QueryVocabulary:
    """The one query-side vocabulary: the matcher and tables the rule parser turns matches into a
    :class:`ParsedQuery` with, and the lookups grounding checks a model's answer against
    (brand spellings by edit distance and pinyin, category leaves, attribute synonyms, known words)."""

    lexicon: Lexicon = field(default_factory=Lexicon)
    matcher: DictionaryMatcher = field(default_factory=DictionaryMatcher)
    brands: dict[str, BrandRef] = field(default_factory=dict)
    #: product word -> category paths
    categories: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: catalog category paths (to ground a given path)
    category_paths: frozenset[str] = frozenset()
    _index: _GroundingIndex | None = field(default=None, init=False, repr=False)

    @classmethod
    def from_lexicon(cls, lexicon: Lexicon) -> QueryVocabulary:
        """Build the vocabulary (see the module docstring for the rules)."""
        vocab = cls(lexicon, category_paths=frozenset(lexicon.categories))
        product_phrases = vocab._add_products(lexicon)
        attribute_phrases = vocab._add_attributes(lexicon, product_phrases)
        vocab._add_brands(lexicon, product_phrases | attribute_phrases)
        return vocab

    # ------------------------------------------------------------------ products and categories
    def _add_products(self, lexicon: Lexicon) -> set[str]:
        by_leaf: dict[str, list[str]] = defaultdict(list)
        for path in lexicon.categories:
            leaf = path.rsplit("/", 1)[-1]
            for name in {leaf, *(p for p in _LEAF_SPLIT.split(leaf) if p)}:
                by_leaf[name.strip()].append(path)
        words = {w for w in lexicon.product_words if _phrase_ok(w)}
        words.update(w for w in by_leaf if _phrase_ok(w))
        for word in words:
            self.matcher.add(word, Entry("product", word))
            paths = list(by_leaf.get(word, ()))
            if not paths and len(word) >= 2:  # head noun last: 床垫 -> 乳胶床垫, 智能手机 -> 手机
                paths = [
                    p
                    for leaf, ps in by_leaf.items()
                    if (len(leaf) > len(word) and leaf.endswith(word))
                    or (2 <= len(leaf) < len(word) and word.endswith(leaf))
                    for p in ps
                ]
            if paths and len(paths) <= MAX_CATEGORIES:
                self.categories[word] = tuple(sorted(paths, key=lambda p: (-lexicon.categories.get(p, 0), p)))
        return {fold(w) for w in words}

    # ------------------------------------------------------------------ attributes
    def _add_attributes(self, lexicon: Lexicon, products: set[str]) -> set[str]:
        added: set[str] = set()
        groups_by_name: dict[str, list[list[str]]] = {k: list(v) for k, v in lexicon.attribute_synonyms.items()}
        for name, groups in DEFAULT_GROUPS.items():
            if not groups_by_name.get(name):
                groups_by_name[name] = [[normalize(v) for v in g] for g in groups]
        for name, groups in groups_by_name.items():
            for group in groups:
                values = [v for v in group if v]
                if not values:
                    continue
                for value in values:
                    if _phrase_ok(value) and self.matcher.add(value, Entry("attribute", values[0], name)):
                        added.add(fold(value))
        # catalog values of well-known attributes: value -> (reported name, count)
        best: dict[str, tuple[str, int]] = {}
        for source, catalog_values in lexicon.attributes.items():
            well_known = WELL_KNOWN_ATTRIBUTES.get(source)
            if well_known is None:
                continue
            name = well_known
            for raw, count in catalog_values.items():
                for value in _VALUE_SPLIT.split(raw):
                    value = value.strip()
                    if not _clean_value(value):
                        continue
                    if value not in best or best[value][1] < count:
                        best[value] = (name, count)
        for value, (name, _) in best.items():
            if fold(value) in added or fold(value) in products:
                continue  # a synonym group defines it, or it names a product (适用对象=手机)
            if self.matcher.add(value, Entry("attribute", value, name)):
                added.add(fold(value))
        return added

    # ------------------------------------------------------------------ brands
    def _add_brands(self, lexicon: Lexicon, taken: set[str]) -> None:
        owners: dict[str, list[BrandRef]] = defaultdict(list)
        curated: set[str] = set()  # brands with several aliases: an edited dictionary entry or catalog pair
        for brand in lexicon.brands.values():
            if brand.key in PLACEHOLDER_BRANDS:
                continue
            ref = BrandRef(brand.key, brand.name, brand.count)
            self.brands[brand.key] = ref
            if len({fold(a) for a in brand.aliases if "/" not in a}) > 1:
                curated.add(brand.key)
            for alias in brand.aliases:
                owners[alias].append(ref)
        weak_chinese = [a for a, refs in owners.items() if not any(r.strong for r in refs) and not fold(a).isascii()]
        common = common_words(weak_chinese)
        for alias, refs in owners.items():
            owner = _owner(refs)
            # the alias's evidence is every product of every brand it names (a gazetteer that
            # lists 索尼 and sony apart splits Sony's products over three groups)
            if owner is None:
                continue
            evidence = BrandRef(owner.key, owner.name, sum(r.count for r in refs))
            if not _usable_alias(alias, evidence, taken, lexicon.terms, lexicon.latin_terms):
                continue
            if not evidence.strong and (alias in common or (fold(alias).isascii() and owner.key not in curated)):
                continue
            self.matcher.add(alias, Entry("brand", owner.key))

    def brand(self, key: str) -> BrandRef | None:
        """A brand by key."""
        return self.brands.get(key)

    # ------------------------------------------------------------------ grounding lookups
    def _grounding(self) -> _GroundingIndex:
        if self._index is None:
            self._index = _GroundingIndex.of(self.lexicon)
        return self._index

    def pinyin(self, text: str, *, memo: bool = True) -> str:
        """Toneless pinyin, syllables joined by spaces (memoised for vocabulary words, not queries)."""
        memo_table = self._grounding().pinyin
        value = memo_table.get(text)
        if value is None:
            value = " ".join(syllables(text))
            if memo:
                memo_table[text] = value
        return value

    def resolve_brand(self, name: str) -> tuple[str | None, bool]:
        """``(brand key, snapped)`` for a brand name; ``(None, False)`` when nothing is close enough."""
        index = self._grounding()
        key = self.lexicon.resolve_brand(name)
        if key:
            return key, False
        name = normalize(name)
        limit = _edit_limit(name)
        found: set[str] = set()
        for size in range(len(name) - limit, len(name) + limit + 1):
            for alias in index.by_length.get(size, ()):
                if alias.isascii() == name.isascii() and _distance(name, alias, limit) <= limit:
                    found.add(index.aliases[alias])
        if not found and not name.isascii():
            target = self.pinyin(name)
            found = {index.aliases[a] for a in index.by_length.get(len(name), ()) if self.pinyin(a) == target}
        return (found.pop(), True) if len(found) == 1 else (None, False)

    def brand_mentioned(self, key: str, spelling: str, text: str) -> bool:
        """Whether the query mentions brand ``key`` (literally, by pinyin, or with a small typo)."""
        names = [*self.lexicon.brands[key].aliases, normalize(spelling)]
        if any(n and n in text for n in names):
            return True
        padded = f" {self.pinyin(text, memo=False)} "
        tokens = _LATIN_TOKEN_RE.findall(text)
        for name in names:
            if not name:
                continue
            if not name.isascii() and f" {self.pinyin(name)} " in padded:
                return True
            limit = _edit_limit(name)
            if name.isascii() and limit and any(_distance(name, t, limit) <= limit for t in tokens):
                return True
        return False

    def resolve_category(self, name: str) -> tuple[str | None, bool]:
        """``(path, snapped)`` for a category path or a unique leaf name."""
        index = self._grounding()
        parts = [p.strip() for p in normalize(name).replace(">", "/").split("/") if p.strip()]
        path = "/".join(parts)
        if path in self.lexicon.categories:
            return path, False
        paths = index.leaves.get(path, [])
        return (paths[0], True) if len(paths) == 1 else (None, False)

    def known_words(self) -> frozenset[str]:
        """Words the catalog, its brands and the query log spell this way: a correction must not touch them."""
        index = self._grounding()
        if index.known is None:
            lex = self.lexicon
            words = set(index.aliases) | set(lex.product_words) | set(index.synonyms)
            words.update(w for w, c in lex.terms.items() if c >= KNOWN_MIN_COUNT)
            words.update(w for w, c in lex.query_terms.items() if c >= KNOWN_MIN_COUNT)
            index.known = frozenset(w for w in words if 2 <= len(w) <= KNOWN_MAX_LEN)
        return index.known

    def synonyms(self, value: str) -> set[str]:
        """The attribute values interchangeable with ``value`` (itself included)."""
        return self._grounding().synonyms.get(value, set()) | {value}


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, or ``limit + 1`` as soon as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _edit_limit(name: str) -> int:
    """How many edits a brand spelling may be off: 0 for short names (华为 vs 华硕)."""
    if name.isascii():
        return 2 if len(name) >= 9 else 1 if len(name) >= 5 else 0
    return 1 if len(name) >= 4 else 0


def _owner(refs: list[BrandRef]) -> BrandRef | None:
    """The brand an alias refers to: the one with the most products; None on a tie."""
    if len(refs) == 1:
        return refs[0]
    ranked = sorted(refs, key=lambda r: -r.count)
    if ranked[0].count > ranked[1].count:
        return ranked[0]
    return None


def _usable_alias(
    alias: str, owner: BrandRef, taken: set[str], terms: dict[str, int], latin_terms: dict[str, int] | None = None
) -> bool:
    """Whether an alias may be recognised as a brand mention (see the module docstring)."""
    key = fold(alias)
    if len(key) < 2 or "/" in alias or alias in PLACEHOLDER_BRANDS or key in PLACEHOLDER_BRANDS:
        return False  # "english/中文" strings: their parts are aliases of their own
    latin_titles = (latin_terms or {}).get(key, 0) if owner.strong and key.isascii() and key.isalpha() else 0
    if owner.count < min(ESTABLISHED_BRAND_PRODUCTS, BRAND_SHARE * latin_titles):
        return False  # a common Latin word of titles (hdmi, ddr, switch), rarely the brand
    if all(is_latin(c) for c in key):
        if key.isdigit() or len(key) <= 2:
            return len(key) >= (3 if key.isdigit() else 2) and owner.count >= SHORT_LATIN_MIN_PRODUCTS
        return owner.count >= 2 if len(key) == 3 else (owner.strong or key not in taken)
    if owner.strong:
        return owner.count >= min(ESTABLISHED_BRAND_PRODUCTS, BRAND_SHARE * terms.get(alias, 0))
    if key in taken or len(key) < WEAK_ALIAS_MIN_LEN:
        return False
    return terms.get(alias, 0) <= WEAK_ALIAS_MAX_TITLES


def _phrase_ok(phrase: str) -> bool:
    """Dictionary phrases: two characters, or one Chinese character (the parser then
    requires it to be a whole word of the segmentation)."""
    key = fold(phrase)
    return len(key) >= 2 or (len(key) == 1 and bool(_HAS_CJK.match(key)))


def _clean_value(value: str) -> bool:
    """A catalog attribute value worth recognising in queries."""
    if not 2 <= len(value) <= 8 or _BAD_VALUE.search(value):
        return False
    if value in PLACEHOLDER_BRANDS:
        return False
    return bool(_HAS_CJK.search(value)) or (value.isascii() and value.isalpha() and len(value) >= 3)
