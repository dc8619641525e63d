"""The product record: the catalog schema shared by the indexer and the query service."""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from search.text.values import catalog_number, clean_text, flatten_attributes, has_control

MAX_ID_LENGTH = 200
MAX_TITLE_LENGTH = 2000
#: larger prices and sales are data errors (and overflow the stores' integer payloads)
MAX_PRICE = 1e9
MAX_SALES = 10**12

KNOWN_FIELDS = ("id", "title", "brand", "category", "attributes", "price", "sales")


class Product(BaseModel):
    """One catalog product.

    ``id`` and ``title`` are required; everything else is optional because real
    catalogs have gaps (no price, no brand, no category).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    id: str
    title: str
    brand: str | None = None
    category: str | None = None
    attributes: dict[str, str] = {}
    price: float | None = None
    sales: int | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id(cls, value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValueError(f"id must be a string or an integer, got {type(value).__name__}")
        text = str(value).strip()
        if not text:
            raise ValueError("id is empty")
        if len(text) > MAX_ID_LENGTH:
            raise ValueError(f"id longer than {MAX_ID_LENGTH} characters")
        if has_control(text):
            raise ValueError("id contains control characters")
        if "/" in text:
            raise ValueError("id contains '/': it could not be fetched at /products/{id}; rename it")
        return text

    @field_validator("title", mode="before")
    @classmethod
    def _title(cls, value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError(f"title must be a string, got {type(value).__name__}")
        text = clean_text(value).strip()
        if not text:
            raise ValueError("title is empty")
        if len(text) > MAX_TITLE_LENGTH:
            raise ValueError(f"title longer than {MAX_TITLE_LENGTH} characters")
        return text

    @field_validator("brand", "category", mode="before")
    @classmethod
    def _optional_text(cls, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise ValueError(f"must be a string or null, got {type(value).__name__}")
        return clean_text(value).strip() or None

    @field_validator("attributes", mode="before")
    @classmethod
    def _attributes(cls, value: Any) -> dict[str, str]:
        if value is None or value == "":
            return {}
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValueError(f"attributes is not a JSON object: {exc.msg}") from None
        if not isinstance(value, dict):
            raise ValueError(f"attributes must be an object, got {type(value).__name__}")
        out: dict[str, str] = {}
        for key, val in flatten_attributes(value).items():
            if val is None:
                continue
            if isinstance(val, list | tuple):
                val = ",".join(str(v) for v in val)
            text = clean_text(str(val)).strip()
            name = clean_text(key).strip()
            if text and name:
                out[name] = text
        return out

    @field_validator("price", mode="before")
    @classmethod
    def _price(cls, value: Any) -> float | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise ValueError("price must be a number, got bool")
        price = _number(value, "price")
        if not math.isfinite(price):
            raise ValueError("price is not finite")
        if price < 0:
            raise ValueError(f"price is negative: {price}")
        if price > MAX_PRICE:
            raise ValueError(f"price is implausibly large: {value!r} (at most {MAX_PRICE:.0f})")
        return price

    @field_validator("sales", mode="before")
    @classmethod
    def _sales(cls, value: Any) -> int | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise ValueError("sales must be an integer, got bool")
        number = _number(value, "sales")
        if not math.isfinite(number) or number != int(number):
            raise ValueError(f"sales is not a whole number: {value!r}")
        if number < 0:
            raise ValueError(f"sales is negative: {int(number)}")
        if number > MAX_SALES:
            raise ValueError(f"sales is implausibly large: {value!r} (at most {MAX_SALES})")
        return int(number)

    def content_hash(self) -> str:
        """A stable hash of everything that is indexed; changes exactly when the product does."""
        blob = json.dumps(self.model_dump(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha1(blob.encode("utf-8")).hexdigest()


def _number(value: Any, name: str) -> float:
    """A number, or a catalog string for one (``"¥1,299"``, ``"1.2万"``, ``"99元"``)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        parsed = catalog_number(value) if isinstance(value, str) else None
        if parsed is None:
            raise ValueError(f"{name} is not a number: {value!r}") from None
        return parsed


def split_unknown_fields(row: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Fold unknown scalar fields into ``attributes``; return the row and the ignored field names.

    Unknown fields are never fatal: a scalar (string or number) is kept as an
    attribute unless the row already has an attribute of that name; anything
    else (lists, objects) is ignored and reported.
    """
    known = {key: row[key] for key in KNOWN_FIELDS if key in row}
    ignored: list[str] = []
    extra: dict[str, str] = {}
    for key, value in row.items():
        if key in KNOWN_FIELDS:
            continue
        if isinstance(value, str | int | float) and not isinstance(value, bool) and str(value).strip():
            extra[str(key)] = str(value)
        elif value is not None and value != "":
            ignored.append(str(key))
    if extra:
        attributes = known.get("attributes")
        if isinstance(attributes, dict):
            known["attributes"] = {**extra, **attributes}
        elif attributes in (None, ""):
            known["attributes"] = extra
        # attributes of a wrong type are left for validation to report
    return known, ignored


def servable(payload: dict[str, Any]) -> dict[str, Any]:
    """A stored product record made safe to serve, whatever an older build let in.

    Builds made before prices and sales were bounded may hold ``1e30``, ``inf`` or ``NaN``:
    such a value is served as unknown (null) instead of failing the response; attribute
    values are served as text.
    """
    out = dict(payload)
    for name, limit in (("price", MAX_PRICE), ("sales", MAX_SALES)):
        value = out.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            value = None
        out[name] = value if value is not None and 0 <= value <= limit else None
    if out["sales"] is not None:
        out["sales"] = int(out["sales"])
    attributes = out.get("attributes")
    out["attributes"] = {str(k): str(v) for k, v in attributes.items()} if isinstance(attributes, dict) else {}
    return out
