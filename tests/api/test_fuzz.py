"""Whatever a client sends gets a 2xx or a 4xx with a detail, never a 500."""

from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PARAM = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    q=st.text(max_size=300),
    size=PARAM,
    page=PARAM,
    price_min=PARAM,
    price_max=PARAM,
    sort=PARAM,
    profile=PARAM,
    brand=st.lists(st.text(max_size=20), max_size=3),
    explain=st.sampled_from([None, "true", "false", "yes", "2"]),
)
def test_get_search_never_fails_on_input(client, q, size, page, price_min, price_max, sort, profile, brand, explain):
    params = {"q": q, "size": size, "page": page, "price_min": price_min, "price_max": price_max, "sort": sort}
    params.update({"profile": profile, "explain": explain})
    params = {k: v for k, v in params.items() if v is not None}
    if brand:
        params["brand"] = brand
    r = client.get("/search", params=params)
    assert r.status_code in (200, 422), (params, r.status_code, r.text[:300])
    if r.status_code == 422:
        assert r.json()["detail"]


JSONISH = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False, allow_infinity=False) | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.dictionaries(
        st.sampled_from(["q", "brands", "categories", "price_min", "price_max", "attributes", "sort", "page", "size"]),
        JSONISH,
        max_size=5,
    )
)
def test_post_search_never_fails_on_input(client, body):
    r = client.post("/search", json=body)
    assert r.status_code in (200, 422), (body, r.status_code, r.text[:300])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pid=st.text(min_size=1, max_size=150).filter(lambda s: s not in (".", "..")))
def test_product_ids_never_fail(client, pid):
    r = client.get("/products/" + quote(pid, safe=""))
    assert r.status_code in (200, 404, 422), (pid, r.status_code)


def test_non_standard_json_numbers_are_rejected_cleanly(client):
    for raw in (b'{"q": "x", "price_min": Infinity}', b'{"q": "x", "price_max": NaN}', b'{"q": "x", "size": 1e309}'):
        r = client.post("/search", content=raw, headers={"content-type": "application/json"})
        assert r.status_code == 422, raw
