"""Reading, validating and cleaning a product catalog (JSONL, CSV or Parquet).

A bad row never fails the whole catalog: it becomes a :class:`Reject` with its
line (or row) number and the reason, and the good rows go on to be indexed.
Only a file that cannot be read at all (missing, unknown format, a CSV without
``id``/``title`` columns) is an error.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from search.errors import InputError
from search.product import Product, split_unknown_fields
from search.store.base import point_key

FORMATS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
}
RAW_EXCERPT = 300


class CatalogError(InputError):
    """The catalog file as a whole cannot be read."""


@dataclass(frozen=True)
class Reject:
    """A catalog row that was not indexed, and why."""

    line: int
    reason: str
    id: str | None = None
    raw: str = ""


@dataclass
class Catalog:
    """The valid products of a catalog file, the rejected rows, and what was ignored."""

    path: Path
    products: list[Product] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    ignored_fields: Counter[str] = field(default_factory=Counter)
    rows: int = 0
    #: the line (or row) each product came from
    lines: dict[str, int] = field(default_factory=dict)

    def reject(self, product: Product, reason: str) -> None:
        """Take a valid product out again (e.g. it clashes with the index it is refreshing)."""
        self.products = [p for p in self.products if p.id != product.id]
        self.rejects.append(Reject(self.lines.get(product.id, 0), reason, product.id, product.title[:120]))

    def write_rejects(self, directory: Path) -> Path | None:
        """Write the rejects as JSONL under ``directory``; return the file (None when there are none)."""
        if not self.rejects:
            return None
        directory.mkdir(parents=True, exist_ok=True)
        stem = self.path.name.replace(".", "_")
        out = directory / f"{time.strftime('%Y%m%d-%H%M%S')}-{stem}.rejects.jsonl"
        with open(out, "w", encoding="utf-8") as fh:
            for reject in self.rejects:
                fh.write(json.dumps(asdict(reject), ensure_ascii=False) + "\n")
        return out


def catalog_format(path: Path) -> str:
    """The catalog format from the file name."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise CatalogError(f"{path}: unknown catalog format {path.suffix!r}; use .jsonl, .csv, .tsv or .parquet")
    return fmt


def _excerpt(raw: Any) -> str:
    text = raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False, default=str)
    return text[:RAW_EXCERPT]


def _reason(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "row"
        msg = err["msg"].removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}")
    return "; ".join(parts)


def _rows_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str, str | None]]:
    """Yield (line number, row or None, raw text, error)."""
    with open(path, "rb") as fh:
        for number, raw_bytes in enumerate(fh, start=1):
            if number == 1:
                raw_bytes = raw_bytes.removeprefix(b"\xef\xbb\xbf")
            try:
                raw = raw_bytes.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield (
                    number,
                    None,
                    raw_bytes[:RAW_EXCERPT].decode("utf-8", "replace"),
                    (f"invalid UTF-8 at byte {exc.start}"),
                )
                continue
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
            except json.JSONDecodeError as exc:
                yield number, None, raw, f"invalid JSON: {exc.msg} at column {exc.colno}"
                continue
            if not isinstance(row, dict):
                yield number, None, raw, f"expected a JSON object, got {type(row).__name__}"
                continue
            yield number, row, raw, None


def _rows_csv(path: Path, delimiter: str) -> Iterator[tuple[int, dict[str, Any] | None, str, str | None]]:
    text = path.read_bytes().removeprefix(b"\xef\xbb\xbf").decode("utf-8", "surrogateescape")
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = reader.fieldnames or []
    missing = [c for c in ("id", "title") if c not in header]
    if missing:
        raise CatalogError(f"{path}: header lacks required column(s) {', '.join(missing)} (found: {header})")
    for row in reader:
        number = reader.line_num
        raw = delimiter.join(v if isinstance(v, str) else "" for v in row.values())
        if None in row:
            yield number, None, raw, f"{len(header) + len(row[None])} fields, header has {len(header)}"
            continue
        bad = [k for k, v in row.items() if isinstance(v, str) and any("\udc80" <= ch <= "\udcff" for ch in v)]
        if bad:
            yield (
                number,
                None,
                raw.encode("utf-8", "replace").decode("utf-8"),
                f"invalid UTF-8 in {', '.join(bad)}",
            )
            continue
        clean: dict[str, Any] = {}
        attrs: dict[str, str] = {}
        for key, value in row.items():
            value = value if value != "" else None
            if key.startswith(("attr:", "attributes.")):
                if value is not None:
                    attrs[key.split(":", 1)[-1].split(".", 1)[-1]] = value
            else:
                clean[key] = value
        if attrs:
            base = clean.get("attributes")
            if base:
                try:
                    base = json.loads(base)
                except json.JSONDecodeError:
                    yield number, None, raw, "attributes is not a JSON object"
                    continue
                if isinstance(base, dict):
                    attrs = {**attrs, **base}
            clean["attributes"] = attrs
        yield number, clean, raw, None


def _rows_parquet(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str, str | None]]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:
        raise CatalogError(f"{path}: not a readable Parquet file: {exc}") from None
    names = pf.schema_arrow.names
    missing = [c for c in ("id", "title") if c not in names]
    if missing:
        raise CatalogError(f"{path}: schema lacks required column(s) {', '.join(missing)} (found: {names})")
    number = 0
    for batch in pf.iter_batches(batch_size=8192):
        for row in batch.to_pylist():
            number += 1
            attrs = row.get("attributes")
            if isinstance(attrs, list):  # a Parquet map arrives as [(key, value), ...]
                row["attributes"] = {k: v for k, v in attrs}
            yield number, row, "", None


def read_catalog(path: Path) -> Catalog:
    """Read and validate a catalog file.

    Rows are validated with :class:`search.product.Product`; unknown scalar
    fields become attributes, other unknown fields are counted in
    ``ignored_fields``; a repeated id is rejected (the first occurrence wins);
    a product without a brand takes its ``品牌`` attribute as brand.
    """
    path = Path(path)
    if not path.exists():
        raise CatalogError(f"catalog not found: {path}")
    fmt = catalog_format(path)
    if fmt == "jsonl":
        rows = _rows_jsonl(path)
    elif fmt in ("csv", "tsv"):
        rows = _rows_csv(path, "," if fmt == "csv" else "\t")
    else:
        rows = _rows_parquet(path)
    catalog = Catalog(path)
    first_seen: dict[str, int] = {}
    first_key: dict[int, str] = {}
    for number, row, raw, error in rows:
        catalog.rows += 1
        if row is None:
            catalog.rejects.append(Reject(number, error or "unreadable row", None, _excerpt(raw)))
            continue
        known, ignored = split_unknown_fields(row)
        catalog.ignored_fields.update(ignored)
        raw_id = known.get("id")
        rid = str(raw_id).strip() if isinstance(raw_id, str | int) and not isinstance(raw_id, bool) else None
        try:
            product = Product.model_validate(known)
        except ValidationError as exc:
            catalog.rejects.append(Reject(number, _reason(exc), rid, _excerpt(raw or row)))
            continue
        if product.id in first_seen:
            reason = f"duplicate id {product.id!r} (first seen on line {first_seen[product.id]})"
            catalog.rejects.append(Reject(number, reason, product.id, _excerpt(raw or row)))
            continue
        key = point_key(product.id)
        if key in first_key:
            other = first_key[key]
            reason = f"id {product.id!r} maps to the same store key as {other!r} (line {first_seen[other]}): rename one"
            catalog.rejects.append(Reject(number, reason, product.id, _excerpt(raw or row)))
            continue
        first_seen[product.id] = number
        first_key[key] = product.id
        if not product.brand and product.attributes.get("品牌"):
            product = product.model_copy(update={"brand": product.attributes["品牌"]})
        catalog.products.append(product)
    catalog.lines = first_seen
    return catalog
