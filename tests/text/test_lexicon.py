from search.product import Product
from search.text.dictionaries import BrandEntry, split_brand
from search.text.lexicon import Lexicon, category_prefixes


def _p(i, brand, category=None, **attrs):
    return Product(id=str(i), title=f"t{i}", brand=brand, category=category, attributes=attrs)


def test_split_brand_gives_every_alias():
    assert split_brand("Laneige/兰芝") == ["laneige/兰芝", "laneige", "兰芝"]
    assert split_brand("  ") == []


def test_catalog_spellings_of_one_brand_join_one_group():
    products = [_p(1, "Olay/玉兰油"), _p(2, "玉兰油"), _p(3, "OLAY"), _p(4, "兰芝")]
    lex = Lexicon.build(products, [BrandEntry("Laneige/兰芝", ("兰芝", "laneige", "lanzhi"))])
    olay = lex.resolve_brand("玉兰油")
    assert olay is not None
    assert lex.resolve_brand("Olay") == olay == lex.resolve_brand("ＯＬＡＹ")
    assert lex.brands[olay].count == 3
    laneige = lex.resolve_brand("lanzhi")
    assert laneige == lex.resolve_brand("兰芝") and lex.brands[laneige].count == 1


def test_ambiguous_aliases_resolve_to_nothing():
    entries = [BrandEntry("Dove/多芬", ("多芬", "dove")), BrandEntry("Dove/德芙", ("德芙", "dove"))]
    lex = Lexicon.build([], entries)
    assert lex.resolve_brand("dove") is None
    assert lex.resolve_brand("德芙") is not None


def test_categories_count_every_prefix():
    lex = Lexicon.build([_p(1, None, "美妆护肤/面部护理/面霜"), _p(2, None, "美妆护肤/彩妆")])
    assert lex.categories["美妆护肤"] == 2
    assert lex.categories["美妆护肤/面部护理/面霜"] == 1
    assert category_prefixes("A/B") == ["a", "a/b"]


def test_round_trip(tmp_path):
    lex = Lexicon.build(
        [_p(1, "Laneige/兰芝", "美妆护肤/面霜", 产地="韩国")], [], ["面霜"], {"产地": [("韩国", "韩系")]}
    )
    lex.terms = {"面霜": 3}
    lex.save(tmp_path / "lex.json")
    back = Lexicon.load(tmp_path / "lex.json")
    assert back.to_dict() == lex.to_dict()
    assert back.resolve_brand("兰芝") == lex.resolve_brand("兰芝")
    assert "面霜" in back.user_words() and "韩系" in back.user_words()
