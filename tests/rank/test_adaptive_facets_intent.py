import pytest

from search.profiles import AdaptiveConfig, BoostConfig, IntentConfig
from search.rank.adaptive import adapt_weights, query_shape
from search.rank.facets import facet_counts, price_bands
from search.rank.intent import Intent, intent_boosts, is_excluded
from search.retrieve.filters import intent_filter
from search.store.base import Filter

WEIGHTS = {"bm25": 0.2, "ngram": 0.3, "dense": 0.5}


def test_model_numbers_lean_lexical_and_descriptive_queries_lean_dense():
    cfg = AdaptiveConfig(enabled=True, model_number_lexical=2.0, descriptive_dense=1.5)
    model = query_shape("p70d20tl-d4", [], ["p70d20tl-d4", "p70d20tl", "d4"], [], 4)
    assert model.model_number and not model.descriptive
    w = adapt_weights(WEIGHTS, model, cfg, dense_sources=("dense",))
    assert w["bm25"] == 0.4 and w["dense"] == 0.5
    nl = query_shape("适合油皮的男士洗面奶", ["适合", "油皮", "男士", "洗面奶"], [], [], 4)
    assert nl.descriptive
    assert adapt_weights(WEIGHTS, nl, cfg, dense_sources=("dense",))["dense"] == 0.75
    assert adapt_weights(WEIGHTS, nl, AdaptiveConfig(enabled=False), dense_sources=("dense",)) == WEIGHTS


def test_price_bands_and_facet_counts():
    assert price_bands([50, 100]) == [(0.0, 50), (50, 100), (100, None)]
    payloads = [
        {"brand": "兰芝", "category": "美妆/隔离霜", "price": 49.0},
        {"brand": "兰芝", "category": "美妆/隔离霜", "price": 50.0},
        {"brand": "雅诗兰黛", "category": "美妆/面霜", "price": 700.0},
        {"brand": None, "category": None, "price": None},
    ]
    f = facet_counts(payloads, [50, 100], size=10)
    assert f["brand"] == [{"value": "兰芝", "count": 2}, {"value": "雅诗兰黛", "count": 1}]
    assert [b["count"] for b in f["price"]] == [1, 1, 1]
    assert f["price"][0]["value"] == "0-50" and f["price"][-1]["value"] == "100+"


def test_intent_filters_only_what_the_profile_filters():
    intent = Intent(brand_keys=("laneige/兰芝",), price_max=300.0, exclude_brand_keys=("shiseido/资生堂",))
    boost_brand = intent_filter(intent, IntentConfig(brand="boost", price="filter"))
    assert boost_brand == Filter(price_max=300.0, price_unknown_ok=True, exclude_brands=("shiseido/资生堂",))
    strict = intent_filter(intent, IntentConfig(price="filter", price_unknown="drop"))
    assert strict.price_max == 300.0 and not strict.price_unknown_ok
    assert not intent_filter(Intent(), IntentConfig()).price_unknown_ok  # no bound, no flag: the filter stays empty
    assert intent_filter(intent, IntentConfig(brand="filter", price="off", exclude="off")).brands == ("laneige/兰芝",)


def test_intent_boosts():
    intent = Intent(brand_keys=("laneige/兰芝",), product_words=("隔离霜",), attribute_values=("韩国",))
    payload = {"title": "兰芝雪纱隔离霜", "brand_keys": ["laneige/兰芝", "兰芝"], "attr_keys": ["产地=韩国", "=韩国"]}
    b = intent_boosts(payload, intent, IntentConfig(), BoostConfig(brand=0.2, product_word=0.1, attribute=0.05))
    assert b == {"brand": 0.2, "product_word": 0.1, "attribute": 0.05}
    assert intent_boosts({"title": "x"}, intent, IntentConfig(), BoostConfig()) == {}


@pytest.mark.parametrize(
    ("payload", "excluded"),
    [
        ({"title": "资生堂洗面奶 日本产", "brand": "资生堂"}, True),
        ({"title": "洗面奶", "attr_keys": ["产地=日本", "=日本"]}, True),
        ({"title": "韩国洗面奶", "attr_keys": ["产地=韩国"]}, False),
    ],
)
def test_exclusions_match_title_brand_and_attributes(payload, excluded):
    assert is_excluded(payload, Intent(exclude_phrases=("日本",))) is excluded


def test_explicit_price_bounds_win_and_are_strict():
    from search.engine import SearchEngine

    parsed = Filter(price_max=300.0, price_unknown_ok=True, exclude_brands=("shiseido/资生堂",))
    assert SearchEngine.merge_filters(Filter(), parsed) == parsed
    merged = SearchEngine.merge_filters(Filter(price_min=50.0), parsed)
    assert (merged.price_min, merged.price_max, merged.price_unknown_ok) == (50.0, 300.0, False)


def test_price_boost_only_for_on_topic_products_known_in_range():
    intent = Intent(brand_keys=("laneige/兰芝",), product_words=("隔离霜",), price_max=300.0)
    boosts = BoostConfig(brand=0.0, product_word=0.0, price=0.5)
    on_topic = {"title": "兰芝隔离霜", "brand_keys": ["laneige/兰芝"], "price": 200.0}
    assert intent_boosts(on_topic, intent, IntentConfig(), boosts) == {"price": 0.5}
    assert intent_boosts({**on_topic, "price": None}, intent, IntentConfig(), boosts) == {}
    assert intent_boosts({**on_topic, "title": "兰芝面霜"}, intent, IntentConfig(), boosts) == {}  # other product
    assert intent_boosts({**on_topic, "brand_keys": ["x"]}, intent, IntentConfig(), boosts) == {}  # other brand
    dropping = IntentConfig(price_unknown="drop")  # every candidate is in range already: no boost needed
    assert intent_boosts(on_topic, intent, dropping, boosts) == {}
