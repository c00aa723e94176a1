"""The record's entries as people read them: what changed in an entry is the cells whose values differ between
its before and after (every cell of a row added or removed), each named by its column's label where the
entity is a row of a bundle file (icass.bundle.format), never the stored JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from icass.bundle.format import FILES

# Kept in an entry for the store's own checks (the row's version, its id), not a cell a person changed.
NOT_CELLS = frozenset({"version", "id"})


@dataclass(frozen=True)
class CellChange:
    field: str  # the column's label, or the stored key
    before: str  # "" where the entry has none
    after: str


def changed_cells(entity: str, before: Any, after: Any) -> tuple[CellChange, ...]:
    """The cells of an entry that changed: those whose values differ between `before` and `after`."""
    was, now = _cells(before), _cells(after)
    labels = _labels(entity)
    changed = []
    for key in dict.fromkeys([*was, *now]):
        if key in NOT_CELLS or was.get(key) == now.get(key):
            continue
        changed.append(CellChange(labels.get(key, key.replace("_", " ")), _text(was.get(key)), _text(now.get(key))))
    return tuple(changed)


def _cells(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    return {"value": value}


def _labels(entity: str) -> dict[str, str]:
    """The labels of the columns of the file an entity names ("budget.csv 414"); none for other entities."""
    file = FILES.get(entity.split(" ", 1)[0])
    return {} if file is None else {c.name: c.label for c in file.columns}


def _text(value: Any) -> str:
    """A stored value in words: a list item by item, a mapping as its filled keys and values ("role hq, agency
    1931.0"), anything else as it is."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{str(k).replace('_', ' ')} {_text(v)}" for k, v in value.items() if v not in (None, ""))
    return str(value)
