"""Queries and filters in qdrant-client's terms: the same meaning as :func:`search.store.edge.to_edge_filter`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from qdrant_client import models as qm

from search.retrieve.bm25 import SparseVector
from search.store.base import Filter, attr_key, point_key


def selection(fields: Sequence[str] | None) -> bool | list[str]:
    """Payload selection: everything for None, else the fields (``id`` always included)."""
    return True if fields is None else list(dict.fromkeys(["id", *fields]))


def to_client_filter(f: Filter | None) -> qm.Filter | None:
    """Translate a :class:`Filter` into a qdrant-client filter (None when empty).

    Condition for condition the same as :func:`search.store.edge.to_edge_filter`.
    """
    if f is None or f.is_empty():
        return None
    must: list[Any] = []
    must_not: list[Any] = []
    if f.ids is not None:
        must.append(qm.HasIdCondition(has_id=sorted({point_key(i) for i in f.ids})))
    if f.keys is not None:
        must.append(qm.HasIdCondition(has_id=sorted(set(f.keys))))
    if f.brands:
        must.append(qm.FieldCondition(key="brand_keys", match=qm.MatchAny(any=list(f.brands))))
    if f.categories:
        must.append(qm.FieldCondition(key="category_path", match=qm.MatchAny(any=list(f.categories))))
    if f.price_min is not None or f.price_max is not None or f.price_below is not None:
        gte, lte, lt = f.price_range()
        in_range = qm.FieldCondition(key="price", range=qm.Range(gte=gte, lte=lte, lt=lt))
        unknown = qm.IsEmptyCondition(is_empty=qm.PayloadField(key="price"))
        must.append(qm.Filter(should=[in_range, unknown]) if f.price_unknown_ok else in_range)
    for key in f.require:
        must_not.append(qm.IsEmptyCondition(is_empty=qm.PayloadField(key=key)))
    for key in f.missing:
        must.append(qm.IsEmptyCondition(is_empty=qm.PayloadField(key=key)))
    for name, value in f.attributes:
        must.append(qm.FieldCondition(key="attr_keys", match=qm.MatchValue(value=attr_key(name, value))))
    if f.exclude_brands:
        must_not.append(qm.FieldCondition(key="brand_keys", match=qm.MatchAny(any=list(f.exclude_brands))))
    if f.exclude_categories:
        must_not.append(qm.FieldCondition(key="category_path", match=qm.MatchAny(any=list(f.exclude_categories))))
    if f.exclude_attributes:
        keys = [attr_key(n, v) for n, v in f.exclude_attributes]
        must_not.append(qm.FieldCondition(key="attr_keys", match=qm.MatchAny(any=keys)))
    if f.exclude_ids:
        must_not.append(qm.HasIdCondition(has_id=sorted({point_key(i) for i in f.exclude_ids})))
    return qm.Filter(must=must or None, must_not=must_not or None)


def to_vector(v: SparseVector | np.ndarray) -> Any:
    if isinstance(v, SparseVector):
        return qm.SparseVector(indices=list(v.indices), values=list(v.values))
    return np.asarray(v, dtype=np.float32).tolist()
