"""A table's records kept as the columns they were read in, each record made only when one is asked for.

A large post's budget side is some 25,000 rows, and one record plus one Source a row took about a fifth of
`icass distribute` on it (docs/benchmarks.md), while distributing needs none of them: the checks and the
engine read whole columns (`column`), and a Source is made only for a row that a message names
(`source_of`). Anything else sees an ordinary sequence of records: iterating, indexing, comparing, hashing or
pickling makes every record once and keeps them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar, overload

from icass.model.provenance import Source

R = TypeVar("R")


class RecordColumns(Sequence[R], Generic[R]):
    """`record(*fields, source)` of each row: `columns` holds every field but `source` in the record's field
    order, `numbers` the row of each in `file` as a spreadsheet numbers it, or `sources` the source of each
    when the rows come from several places (a post's counts, derived and typed). The columns are shared, not
    copied: nothing may change them."""

    __slots__ = ("_made", "columns", "file", "numbers", "record", "sources")

    def __init__(
        self,
        record: Callable[..., R],
        file: str,
        numbers: list[int],
        columns: dict[str, list[Any]],
        sources: list[Source] | None = None,
    ) -> None:
        self.record = record
        self.file = file
        self.numbers = numbers
        self.columns = columns
        self.sources = sources
        self._made: tuple[R, ...] | None = None

    @classmethod
    def made(
        cls, record: Callable[..., R], columns: dict[str, list[Any]], sources: list[Source], made: tuple[R, ...]
    ) -> RecordColumns[R]:
        """The columns of records made already (`made`, each with its source), kept with them."""
        found = cls(record, "", [source.row for source in sources], columns, sources)
        found._made = made
        return found

    def records(self) -> tuple[R, ...]:
        if self._made is None:
            sources = self.sources or [Source(self.file, n) for n in self.numbers]
            self._made = tuple(map(self.record, *self.columns.values(), sources))
        return self._made

    def __len__(self) -> int:
        return len(self.numbers)

    @overload
    def __getitem__(self, index: int) -> R: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[R, ...]: ...

    def __getitem__(self, index: int | slice) -> R | tuple[R, ...]:
        return self.records()[index]

    def __iter__(self) -> Iterator[R]:
        return iter(self.records())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RecordColumns):
            return self.records() == other.records()
        if isinstance(other, tuple):
            return self.records() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.records())

    def __repr__(self) -> str:
        return repr(self.records())

    def __reduce__(self) -> tuple[type[tuple[R, ...]], tuple[tuple[R, ...]]]:
        return tuple, (self.records(),)  # a copy or a pickle is the plain tuple of records


def column(records: Sequence[Any], name: str) -> list[Any]:
    """One field of every record, in order: the column as read when the records are RecordColumns (shared:
    never change it), else taken from each record."""
    if isinstance(records, RecordColumns):
        found: list[Any] = records.columns[name]
        return found
    return [getattr(r, name) for r in records]


def source_of(records: Sequence[Any], k: int) -> Source:
    """Where the record at index `k` came from, made without making the record."""
    if isinstance(records, RecordColumns):
        return Source(records.file, records.numbers[k]) if records.sources is None else records.sources[k]
    source: Source = records[k].source
    return source
