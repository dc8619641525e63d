"""Shoppers' data stays private: signed shopper tokens, no personalization details for the public,
no production start with the default pseudonymisation secret."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from search.api.app import create_app
from search.config import ConfigError, Settings
from search.personal.tokens import ShopperTokenError, resolve_shopper, sign_token, verify_token
from tests.api.test_personal_api import AS_ADMIN, p_engine, pc  # noqa: F401  (fixtures)

SECRET = "shop-backend-secret"


def test_tokens_sign_verify_expire():
    token = sign_token("u0001", SECRET, ttl_s=60, now=1000)
    assert verify_token(token, SECRET, now=1059) == "u0001"
    with pytest.raises(ShopperTokenError, match="expired"):
        verify_token(token, SECRET, now=1061)
    with pytest.raises(ShopperTokenError, match="signature"):
        verify_token(token, "another-secret", now=1000)
    forged = token.replace(token.split(".")[1], sign_token("u0002", SECRET, now=1000).split(".")[1])
    with pytest.raises(ShopperTokenError, match="signature"):
        verify_token(forged, SECRET, now=1000)
    with pytest.raises(ShopperTokenError, match="malformed"):
        verify_token("v1.x.y", SECRET)
    assert verify_token(sign_token("顾客/42", SECRET), SECRET) == "顾客/42"


def test_resolution_rules():
    token = sign_token("u1", SECRET)
    assert resolve_shopper("u1", None, None) == "u1"  # no signing configured: bare ids
    assert resolve_shopper(None, token, SECRET) == "u1"
    with pytest.raises(ShopperTokenError, match="signed shopper_token"):
        resolve_shopper("u1", None, SECRET)
    with pytest.raises(ShopperTokenError, match="not enabled"):
        resolve_shopper(None, token, None)
    with pytest.raises(ShopperTokenError, match="does not match"):
        resolve_shopper("u2", token, SECRET)


def test_public_callers_see_no_personalization_details(pc):  # noqa: F811
    r = pc.get("/recommend", params={"user_id": "u0001", "size": 5})
    assert r.status_code == 200 and "source" not in r.json()
    assert pc.get("/recommend", params={"user_id": "u0001", "size": 5}, headers=AS_ADMIN).json()["source"] == "personal"
    params = {"q": "洗面奶", "size": 20, "user_id": "u0001", "explain": "true"}
    public = pc.get("/search", params=params).json()["items"]
    admin = pc.get("/search", params=params, headers=AS_ADMIN).json()["items"]
    assert all(i["explain"]["personalization"] == {} for i in public)
    assert any(i["explain"]["personalization"] for i in admin)


def test_with_signing_a_bare_user_id_is_refused(p_engine):  # noqa: F811
    settings = p_engine.settings
    signed = settings.model_copy(update={"shopper_token_secret": SecretStr(SECRET)})
    p_engine.settings = signed
    try:
        with TestClient(create_app(engine=p_engine), raise_server_exceptions=False) as c:
            r = c.get("/recommend", params={"user_id": "u0001"})
            assert r.status_code == 401 and r.json()["detail"][0]["field"] == "user_id"
            assert c.get("/search", params={"q": "面霜", "user_id": "u0001"}).status_code == 401
            event = {"user_id": "u0001", "product_id": "X", "event": "view"}
            assert c.post("/events", json=event).status_code == 401  # no profile poisoning
            token = sign_token("u0001", SECRET)
            assert c.get("/recommend", params={"shopper_token": token}).status_code == 200
            assert c.get("/search", params={"q": "面霜", "shopper_token": token}).status_code == 200
            good = {"shopper_token": token, "product_id": "X", "event": "view"}
            assert c.post("/events", json=good).json()["accepted"] == 1
            assert c.get("/recommend", params={"shopper_token": token + "x"}).status_code == 401
    finally:
        p_engine.settings = settings


def test_production_refuses_the_default_secret(tmp_path):
    settings = Settings(data_dir=tmp_path, env="production")
    with pytest.raises(ConfigError, match="SEARCH_USER_ID_SECRET"), TestClient(create_app(settings)):
        pass
