"""Event validation shared by POST /events and the import."""

from __future__ import annotations

import time

import pytest
from pydantic import ValidationError

from search.personal.events import EventIn, describe_error
from search.personal.pseudonym import Pseudonymizer


def _ok(**kw):
    return EventIn.model_validate({"user_id": "u1", "product_id": "p1", "event": "click", **kw})


def test_valid_events_and_timestamps():
    assert _ok().ts is None
    assert _ok(ts=1790871465).ts == 1790871465.0
    assert _ok(ts="2026-10-31T12:00:00+08:00").ts == pytest.approx(1793419200.0)
    assert _ok(event="search_click", query="面霜").query == "面霜"
    assert _ok(session="abc").user_id == "u1"  # unknown fields are ignored


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"event": "like"}, "event"),
        ({"user_id": "  "}, "blank"),
        ({"product_id": ""}, "product_id"),
        ({"ts": 1790871465000}, "milliseconds"),
        ({"ts": 12}, "after 2000"),
        ({"ts": time.time() + 3 * 86400}, "future"),
        ({"ts": "2026-10-31T12:00:00"}, "timezone"),
        ({"ts": "yesterday"}, "ts"),
        ({"query": "x" * 300}, "query"),
    ],
)
def test_invalid_events_say_why(fields, message):
    with pytest.raises(ValidationError) as exc:
        _ok(**fields)
    assert message in describe_error(exc.value)


def test_missing_fields_are_named():
    with pytest.raises(ValidationError) as exc:
        EventIn.model_validate({"user_id": "u1"})
    text = describe_error(exc.value)
    assert "product_id" in text and "event" in text


def test_to_new_pseudonymises_and_defaults_the_time():
    pseudo = Pseudonymizer("k")
    new = _ok().to_new(pseudo, now=1.8e9)
    assert new.user == pseudo("u1") and new.ts == 1.8e9 and new.user != "u1"
