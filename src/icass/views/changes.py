"""What changed in a post since an approved version: its files' rows added and removed, and each agency's
invoice then and now. Rows have no identity across a version (an edited row is the same line with other
cells), so a file's changes are its rows as a multiset: the rows now that were not there then ("added") and
those there then that are not now ("removed"); an edited row is one of each."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from icass.bundle.tables import Cells
from icass.distribution.variance import Variance, totals_by, variance
from icass.runs.post import PostRun
from icass.views.totals import agency_bills
from icass.views.variance import drivers, in_words


@dataclass(frozen=True)
class Version:
    number: int
    approved_at: str
    approved_by: str
    note: str


@dataclass(frozen=True)
class FileChanges:
    file: str
    header: tuple[str, ...]
    added: tuple[tuple[str, ...], ...]
    removed: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class AgencyChange:
    agency: str
    then: int | None  # cents; None: the agency had no invoice (or that side could not be distributed)
    now: int | None
    # The change split by what made it (icass.distribution.variance), in cents; None while a side cannot be
    # distributed.
    cost_effect: int | None = None
    count_effect: int | None = None
    modification_effect: int | None = None

    @property
    def difference(self) -> int:
        return (self.now or 0) - (self.then or 0)


@dataclass(frozen=True)
class Changes:
    version: Version
    files: tuple[FileChanges, ...]
    agencies: tuple[AgencyChange, ...]  # those whose totals moved
    then_total: int | None
    now_total: int | None
    told: tuple[str, ...] = ()  # the largest changes in words (icass.views.variance)


@dataclass(frozen=True)
class SinceApproved:
    """The post's newest approved version, and what changed since (None, None: no version yet)."""

    approved: Version | None
    since: Changes | None


def changes_between(
    version: Version,
    then_files: Mapping[str, Cells],
    now_files: Mapping[str, Cells],
    then: PostRun,
    now: PostRun,
    post: str,
) -> Changes:
    """The changes from `version` (its files and their run `then`) to the post now (its files and run `now`)."""
    then_totals, now_totals = _totals(then, post), _totals(now, post)
    explained = _explained(then, now)
    effects = {} if explained is None else totals_by(explained.lines, "agency")
    moved = tuple(
        AgencyChange(agency, then_totals.get(agency), now_totals.get(agency), *_effects(effects, explained, agency))
        for agency in sorted(set(then_totals) | set(now_totals))
        if then_totals.get(agency) != now_totals.get(agency)
    )
    told: tuple[str, ...] = ()
    if explained is not None and then.bundle is not None and now.bundle is not None:
        names = {a.code: a.name for a in (*then.bundle.agencies, *now.bundle.agencies)}
        names |= {spec.code: spec.name for spec in now.catalog.methodology(str(now.bundle.post.methodology))}
        told = tuple(in_words(d, explained, then.bundle, now.bundle, names) for d in drivers(explained))
    return Changes(
        version,
        tuple(
            c for name in sorted(set(then_files) | set(now_files)) if (c := _file_changes(name, then_files, now_files))
        ),
        moved,
        sum(then_totals.values()) if then.distribution is not None else None,
        sum(now_totals.values()) if now.distribution is not None else None,
        told,
    )


def _explained(then: PostRun, now: PostRun) -> Variance | None:
    """The change from the version to now by what made it, when both sides were distributed (of one
    methodology: a post keeps its own)."""
    if then.distribution is None or now.distribution is None or then.bundle is None or now.bundle is None:
        return None
    methodology = str(now.bundle.post.methodology)
    if str(then.bundle.post.methodology) != methodology:
        return None
    return variance(then.bundle, now.bundle, now.catalog.kind_of(methodology))


def _effects(
    effects: Mapping[str, tuple[int, int, int, int, int]], explained: Variance | None, agency: str
) -> tuple[int | None, int | None, int | None]:
    if explained is None:
        return None, None, None
    _, _, cost, count, modification = effects.get(agency, (0, 0, 0, 0, 0))
    return cost, count, modification


def _file_changes(name: str, then: Mapping[str, Cells], now: Mapping[str, Cells]) -> FileChanges | None:
    before, after = then.get(name), now.get(name)
    kept = after if after is not None else before
    assert kept is not None  # the name comes from one side or the other
    header = kept.header
    old = Counter(_keyed(before, header))
    new = Counter(_keyed(after, header))
    added = tuple((new - old).elements())
    removed = tuple((old - new).elements())
    return FileChanges(name, tuple(header), added, removed) if added or removed else None


def _keyed(cells: Cells | None, header: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Each row's cells in `header`'s order (a column the file did not have then is empty)."""
    if cells is None:
        return []
    at = [cells.header.index(h) if h in cells.header else None for h in header]
    return [tuple("" if k is None else str(record[k]) for k in at) for record in cells.records]


def _totals(run: PostRun, post: str) -> dict[str, int]:
    if run.distribution is None:
        return {}
    return {agency: bill.total for agency, bill in agency_bills(run.distribution, post).items()}


@dataclass(frozen=True)
class RowChange:
    """One row of a file changed since the version: `before` None for a row added, `after` None for one removed,
    both for a row edited (a removed and an added row paired by the cells they share), with the columns that
    moved."""

    before: tuple[str, ...] | None
    after: tuple[str, ...] | None
    moved: tuple[int, ...]  # the columns (indexes into the file's header) whose cells differ


def row_changes(changed: FileChanges) -> tuple[RowChange, ...]:
    """The file's changes row by row: each removed row paired with the added row that shares the most of its
    cells (at least half of them: otherwise it was removed, and the other added), edited rows first."""
    added = list(changed.added)
    edited: list[RowChange] = []
    removed: list[RowChange] = []
    half = (len(changed.header) + 1) // 2
    for old in changed.removed:
        shared = [sum(a == b for a, b in zip(old, new, strict=True)) for new in added]
        best = max(range(len(added)), key=shared.__getitem__, default=None)
        if best is None or shared[best] < half:
            removed.append(RowChange(old, None, ()))
            continue
        new = added.pop(best)
        edited.append(RowChange(old, new, tuple(i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b)))
    return (*edited, *(RowChange(None, new, ()) for new in added), *removed)
