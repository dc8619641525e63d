"""Safety checks a refresh passes before it may publish (pure functions, no I/O).

A refresh with ``--delete-missing`` deletes every indexed product the new catalog
does not contain. An empty file, a file in the wrong encoding or a half-written
export would silently empty the index, so a refresh refuses to publish when

* the catalog has no valid row at all, or
* more than ``max_delete_share`` of the indexed products would be deleted,

unless the operator says ``--allow-mass-delete``. A product whose new row was
rejected (but whose id could be read) is never counted as missing: it keeps its
previous version until a valid row replaces it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from search.errors import InputError

#: the share of the indexed products a refresh may delete without ``--allow-mass-delete``
DEFAULT_MAX_DELETE_SHARE = 0.2


class MassDeleteError(InputError):
    """A refresh would delete too much; the message carries the numbers."""

    def __init__(self, message: str, numbers: dict[str, float | int]) -> None:
        super().__init__(message)
        self.numbers = numbers


def missing_ids(indexed: Iterable[str], valid: Collection[str], rejected: Collection[str]) -> list[str]:
    """Indexed ids that the catalog really lacks (an id seen only on a rejected row is present)."""
    return [pid for pid in indexed if pid not in valid and pid not in rejected]


def check_publish(
    *,
    indexed: int,
    valid_rows: int,
    rejected_rows: int,
    deleting: int,
    max_delete_share: float = DEFAULT_MAX_DELETE_SHARE,
    allow_mass_delete: bool = False,
) -> None:
    """Raise :class:`MassDeleteError` when a refresh must not publish (see the module docstring)."""
    if not 0 <= max_delete_share <= 1:
        raise InputError(f"the maximum delete share must be between 0 and 1, got {max_delete_share}")
    if allow_mass_delete:
        return
    share = deleting / indexed if indexed else 0.0
    numbers: dict[str, float | int] = {
        "indexed": indexed,
        "valid_rows": valid_rows,
        "rejected_rows": rejected_rows,
        "would_delete": deleting,
        "share": round(share, 4),
        "max_share": max_delete_share,
    }
    if valid_rows == 0:
        raise MassDeleteError(
            f"refusing to refresh: the catalog has no valid row ({rejected_rows} rejected, "
            f"{indexed} products indexed, {deleting} would be deleted); check the file and its encoding "
            "(UTF-8), or pass --allow-mass-delete",
            numbers,
        )
    if deleting and share > max_delete_share:
        raise MassDeleteError(
            f"refusing to refresh: it would delete {deleting} of {indexed} indexed products "
            f"({share:.0%}, more than the allowed {max_delete_share:.0%}); {valid_rows} valid rows, "
            f"{rejected_rows} rejected; pass --allow-mass-delete if this is intended",
            numbers,
        )
