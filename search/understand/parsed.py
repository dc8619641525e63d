"""``ParsedQuery``: what the shopper asked for, as the search pipeline consumes it.

The shape is the public contract in ``docs/interfaces.md`` (returned by the API as
``parsed`` and printed by ``search parse --json``), extended with ``product_words``.
"""

from __future__ import annotations

from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

Sort = Literal["relevance", "price_asc", "price_desc", "sales"]
ParserName = Literal["rules", "llm", "llm+rules"]


class ParsedQuery(BaseModel):
    """A shopper's query, understood.

    Attributes:
        text: The query as typed.
        normalized: After normalisation (width, case, script, units) and spelling correction.
        keywords: The words left for lexical retrieval once price, sort and exclusion
            phrases are removed (brands and product words stay: they are also good keywords).
        brands: Catalog brands asked for, by their display name (``Laneige/兰芝``).
        categories: Catalog category paths the query points to.
        product_words: What the item is (``隔离霜``, ``手机``), from the catalog vocabulary.
        price_min / price_max: Price bounds in yuan.
        attributes: Attribute name -> value (``{"功效": "补水", "人群": "男士"}``).
        exclude: Phrases the shopper does not want (``日本产``, ``华为``).
        sort: Requested order.
        corrected: The corrected query when spelling correction changed it, else None.
        parser: Which parser produced this (``rules``, ``llm`` or ``llm+rules``).
        confidence: How sure the parser is, in [0, 1].
        rewritten: The query as retrieval uses it: normalised and corrected, with the price,
            sort and exclusion phrases and shopping filler cut out but the rest kept in
            order (``300元以下的兰芝隔离霜 不要日本产的`` -> ``兰芝隔离霜``). Empty when
            nothing is left to match (a price-only query browses). None when a parser does
            not provide it (then the keywords are used).
    """

    model_config = ConfigDict(frozen=True)

    text: str
    normalized: str
    keywords: list[str] = Field(default_factory=list)
    brands: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    product_words: list[str] = Field(default_factory=list)
    price_min: float | None = None
    price_max: float | None = None
    attributes: dict[str, str] = Field(default_factory=dict)
    exclude: list[str] = Field(default_factory=list)
    sort: Sort = "relevance"
    corrected: str | None = None
    parser: ParserName = "rules"
    confidence: float = Field(1.0, ge=0.0, le=1.0)
    rewritten: str | None = None

    @property
    def search_text(self) -> str:
        """The text to retrieve with: the rewritten query, else the keywords, else the normalised query."""
        if self.rewritten is not None and (self.rewritten or not self.keywords):
            return self.rewritten
        return " ".join(self.keywords) if self.keywords else self.normalized


class QueryParser(Protocol):
    """Turns a raw query into a :class:`ParsedQuery`. Implementations never raise on any input."""

    def parse(self, text: str) -> ParsedQuery:
        """Parse one query."""
        ...
