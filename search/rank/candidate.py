"""A product on its way through ranking, carrying every stage's score for explanations."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Candidate:
    """A retrieved product and its scores.

    Attributes:
        id: Product id.
        payload: The stored product record.
        sources: Per retrieval source: ``(rank, score)``; rank is None when the candidate was scored
            by that source without being in its top list.
        fused: The fusion score.
        contributions: Each source's share of ``fused``.
        relevance: ``fused`` relative to the best candidate (0..1).
        boosts: Intent and popularity boosts.
        personal: Personalization terms (CF, affinity, popularity) for a known shopper.
        final: ``relevance`` plus boosts (personal terms are added on top when ranking).
    """

    id: str
    payload: dict[str, Any]
    sources: dict[str, tuple[int | None, float]]
    fused: float = 0.0
    contributions: dict[str, float] = field(default_factory=dict)
    relevance: float = 0.0
    boosts: dict[str, float] = field(default_factory=dict)
    personal: dict[str, float] = field(default_factory=dict)
    final: float = 0.0

    @property
    def total(self) -> float:
        """The score the ranking sorts by."""
        return self.final + sum(self.personal.values())
