"""Retried events are stored once (the client's ``event_id``); ids with control characters are refused."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from search.personal.config import EventsConfig
from search.personal.events import EventIn
from search.personal.pseudonym import Pseudonymizer
from search.personal.store import EventStore

ITEMS = {"p1": ("olay", "美妆/面霜")}


def test_a_retried_event_without_ts_is_counted_once(tmp_path):
    pseudonymize = Pseudonymizer("s1")
    store = EventStore(tmp_path / "events.sqlite", pseudonymize.fingerprint())
    event = EventIn(user_id="u1", product_id="p1", event="click", event_id="evt-42")
    first = store.append([event.to_new(pseudonymize, 1.79e9)], ITEMS, EventsConfig())
    retry = store.append([event.to_new(pseudonymize, 1.79e9 + 3)], ITEMS, EventsConfig())  # no ts: "now" moved
    assert (first.stored, retry.stored, retry.duplicates) == (1, 0, 1)
    other = EventIn(user_id="u2", product_id="p1", event="click", event_id="evt-42")  # ids are per shopper
    assert store.append([other.to_new(pseudonymize, 1.79e9 + 4)], ITEMS, EventsConfig()).stored == 1
    plain = EventIn(user_id="u1", product_id="p1", event="click")  # without event_id: as before
    assert store.append([plain.to_new(pseudonymize, 1.79e9 + 5)], ITEMS, EventsConfig()).stored == 1
    assert store.profile(pseudonymize("u1")).events == 2
    store.forget(pseudonymize("u1"))
    assert store.append([event.to_new(pseudonymize, 1.79e9 + 6)], ITEMS, EventsConfig()).stored == 1
    store.close()


@pytest.mark.parametrize("field", ["user_id", "product_id", "event_id"])
@pytest.mark.parametrize("bad", ["u\x00", "\x1b[31m", "a\nb", "x\x85"])
def test_control_characters_in_event_ids_are_refused(field, bad):
    values = {"user_id": "u1", "product_id": "p1", "event": "view", field: bad}
    with pytest.raises(ValidationError, match="control characters"):
        EventIn(**values)


def test_control_characters_in_the_query_are_stripped():
    assert EventIn(user_id="u", product_id="p", event="view", query="手机\x00壳").query == "手机壳"
