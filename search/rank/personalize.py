"""Personalized reranking: the interface the search pipeline calls for a known shopper."""

from __future__ import annotations

from typing import Protocol

from search.profiles import PersonalizationConfig
from search.rank.candidate import Candidate


class Personalizer(Protocol):
    """Adds personal terms to candidates for one shopper.

    Implementations must return the candidates unchanged (no personal terms) for a
    shopper without history, so that new shoppers see exactly the anonymous ranking.
    """

    def rerank(self, user_id: str, candidates: list[Candidate], config: PersonalizationConfig) -> list[Candidate]:
        """Return the candidates with ``personal`` terms filled in."""
        ...
