"""A stored post through the pipeline: its rows read back as the cells of its files, by the same readers,
then derived, validated and distributed by the same steps as a bundle from disk (icass.runs.post). A finished
run is kept until the post changes (its `revision`), in the store's one cache (icass.store.states)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sqlalchemy import Connection, Engine, select

from icass.bundle import edit
from icass.bundle.load import read_acknowledgements, read_entered, read_targets
from icass.bundle.tdy import POLICY
from icass.catalog import Catalog, load_catalog
from icass.catalog.counting import CountingRules, load_counting_rules
from icass.diagnostics import Diagnostic
from icass.distribution.invoice import Invoice
from icass.model import GuardForce, Methodology, Post, PostRecords, Region, Source, SourceRecords
from icass.model.sources import FILE_OF
from icass.runs.post import PostRun, run_derived, run_records
from icass.runs.tdy import TdyRun, tdy_of
from icass.runs.world import with_central_factors
from icass.store.cells import StoredCells, stored_cells, stored_cells_of
from icass.store.central_factors import FILE as CENTRAL_FILE
from icass.store.central_factors import central_of, table_name
from icass.store.schema import documents, posts
from icass.store.states import Shelf, database_of
from icass.views.invoice import InvoiceView, agency_invoice, invoice_view
from icass.views.summary import PostSummary, post_summary
from icass.workload.derivation import READS, budget_side_read


def _post(connection: Connection, post_id: int) -> Post:
    row = connection.execute(select(posts).where(posts.c.id == post_id)).mappings().one()
    return Post(
        code=row["code"],
        name=row["name"],
        country=row["country"],
        region=Region(row["region"]),
        methodology=Methodology(row["methodology"]),
        fiscal_year=row["fiscal_year"],
        count_date=dt.date.fromisoformat(row["count_date"]) if row["count_date"] else None,
        stage=row["stage"] or "",
        guard_force=None if row["guard_force"] is None else GuardForce(row["guard_force"]),
        medevac_post=None if row["medevac_post"] is None else row["medevac_post"] == "yes",
        furniture_pool=None if row["furniture_pool"] is None else row["furniture_pool"] == "yes",
        state_program_im=None if row["state_program_im"] is None else row["state_program_im"] == "yes",
        cell_phone_program=None if row["cell_phone_program"] is None else row["cell_phone_program"] == "yes",
        radio_repeater_site=None if row["radio_repeater_site"] is None else row["radio_repeater_site"] == "yes",
        new_facilities=None if row["new_facilities"] is None else row["new_facilities"] == "yes",
        source=Source("post.toml"),
    )


@dataclass(frozen=True)
class PostState:
    """A post's run, with the problems its budget side and its source records were read with (None when they
    were not kept apart): what an edit needs to apply itself to the records and run only the steps after. Its
    views (icass.views: the summary, each agency's invoice) are made on their first read and kept with it, so
    readers of one revision share them."""

    run: PostRun
    source_problems: tuple[Diagnostic, ...] | None = None
    entered_problems: tuple[Diagnostic, ...] | None = None

    @cached_property
    def summary(self) -> PostSummary:
        """The post's summary (icass.views), made on the first read of this state and kept with it: every
        dashboard read of the same revision shows the same figures."""
        return post_summary(self.run)

    def invoice(self, agency: str) -> Invoice:
        """The invoice of `agency` (the state must be distributed; KeyError for an agency not of the post),
        made on its first read and kept with the state; invoice_view, the same with each line's derivation."""
        kept = self._invoices.get(agency)
        return kept if kept is not None else self._invoices.setdefault(agency, agency_invoice(self.run, agency))

    def invoice_view(self, agency: str) -> InvoiceView:
        kept = self._invoice_views.get(agency)
        if kept is None:
            kept = self._invoice_views.setdefault(agency, invoice_view(self.run, self.invoice(agency)))
        return kept

    @cached_property
    def _invoices(self) -> dict[str, Invoice]:
        return {}

    @cached_property
    def _invoice_views(self) -> dict[str, InvoiceView]:
        return {}


STATES: Shelf[PostState] = Shelf("post")  # post id -> its state, kept under its revision


def run_stored(engine: Engine, post_id: int) -> PostRun:
    """The pipeline on a stored post, as `run_post` on its bundle; kept until the post's revision changes."""
    return state_stored(engine, post_id).run


def state_stored(engine: Engine, post_id: int) -> PostState:
    """The post's state now: the kept one, or computed and kept."""
    with engine.connect() as connection:
        revision = connection.execute(select(posts.c.revision).where(posts.c.id == post_id)).scalar_one()
        return state_kept(connection, post_id, revision)


def state_kept(connection: Connection, post_id: int, revision: str) -> PostState:
    """The post's state at `revision`, the one `connection` sees: the kept one, or computed and kept."""
    database = database_of(connection)
    kept = STATES.get(database, post_id, revision)
    if kept is not None:
        return kept
    state = state_on(connection, post_id)
    STATES.put(database, post_id, revision, state)
    return state


def keep_state(connection: Connection, post_id: int, state: PostState) -> None:
    """Keep `state`, made on the post as `connection` sees it, under the post's revision there (a change's
    state, kept before its commit: the read that follows the commit finds it). The change's last step: a
    row written after it without moving the revision would leave the kept state stale."""
    revision = connection.execute(select(posts.c.revision).where(posts.c.id == post_id)).scalar_one()
    STATES.put(database_of(connection), post_id, revision, state)


def run_on(connection: Connection, post_id: int, cells: StoredCells | None = None) -> PostRun:
    """The pipeline on the post as `connection` sees it (a change not yet committed included), not kept; or on
    `cells` given for it (a what-if scenario's, icass.store.scenarios) with the post's settings."""
    return state_on(connection, post_id, cells).run


def state_on(connection: Connection, post_id: int, cells: StoredCells | None = None) -> PostState:
    """run_on, with the problems of the post's source records kept apart."""
    read = read_stored_parts(connection, [post_id], None if cells is None else {post_id: cells})[0]
    return state_read(*read, load_catalog(), load_counting_rules())


def state_read(
    records: PostRecords | None,
    problems: list[Diagnostic],
    more: list[Diagnostic],
    catalog: Catalog,
    rules: CountingRules,
) -> PostState:
    """The state of a post read (read_stored_parts: its records, the problems of its budget side and of its
    source records), run through the pipeline."""
    if records is None:
        return PostState(PostRun(tuple(problems + more), catalog=catalog), tuple(more))
    return PostState(run_records(records, catalog, rules, problems + more), tuple(more), tuple(problems))


def state_after_edit(
    connection: Connection,
    post_id: int,
    before: PostState | None,
    file: str,
    index: int | None,
    cells: Mapping[str, Any],
) -> PostState:
    """The post's state after a change to one row of `file` (the row at `index` in the file's order given
    `cells`, or a new last row: index None), from its state before: the change is applied to the records
    (icass.bundle.edit) and only the steps it can change run again. The derivation is kept when the change
    leaves what it reads as it was (icass.workload.derivation.READS: a count entered by hand, an amount, a
    percent); else the counts are derived again from the source records as they were read. The post is read
    again whole when there is no state before, when it did not read its budget side, or for a file kept
    apart (modifications, source records, TDY)."""
    if (
        before is None
        or before.source_problems is None
        or before.entered_problems is None
        or before.run.records is None
        or not edit.covers(file, new=index is None)
        or file == CENTRAL_FILE  # the post's own factors give way to the ISC's table, which a whole read applies
    ):
        return state_on(connection, post_id)
    records = before.run.records
    entered = edit.edited(records.entered, file, index, cells)
    if entered is None:
        return state_on(connection, post_id)  # a cell its reader refuses: the reading names it, as a file's
    changed = dataclasses.replace(records, entered=entered)
    found = [*before.entered_problems, *before.source_problems]
    run, derivation, rules = before.run, before.run.derivation, load_counting_rules()
    read = any(c in cells for c in READS.get(edit.READERS[file][0], ()))
    if derivation is not None and (not read or budget_side_read(changed) == budget_side_read(records)):
        after = run_derived(changed, derivation, run.catalog, rules, found, before=run)
    else:
        after = run_records(changed, run.catalog, rules, found)
    return PostState(after, before.source_problems, before.entered_problems)


def read_stored(connection: Connection, post_id: int) -> tuple[PostRecords | None, list[Diagnostic]]:
    """A stored post's records and every problem found, as read_bundle reads its bundle (None when the budget
    side has an error)."""
    return read_stored_of(connection, [post_id])[0]


def read_stored_of(
    connection: Connection, post_ids: Sequence[int], cells: Mapping[int, StoredCells] | None = None
) -> list[tuple[PostRecords | None, list[Diagnostic]]]:
    """read_stored for several posts (a stored world's), as read_bundles reads several bundles: their rows
    fetched together, their source records parsed together. `cells`: the posts' cells already in hand."""
    return [(records, problems + more) for records, problems, more in read_stored_parts(connection, post_ids, cells)]


def read_stored_parts(
    connection: Connection, post_ids: Sequence[int], cells: Mapping[int, StoredCells] | None = None
) -> list[tuple[PostRecords | None, list[Diagnostic], list[Diagnostic]]]:
    """read_stored_of, with each post's problems of its budget side and of its source records apart."""
    cells = stored_cells_of(connection, post_ids, in_cents=BUDGET_SIDE) if cells is None else cells
    sides = [read_entered(cells[post_id], _post(connection, post_id), []) for post_id in post_ids]
    acknowledged = [read_acknowledgements(cells[post_id]) for post_id in post_ids]
    targeted = [read_targets(cells[post_id]) for post_id in post_ids]
    sources = _sources_of([cells[post_id] for post_id in post_ids])
    central = central_of(connection, {entered.post.fiscal_year for entered, _, _ in sides if entered is not None})
    found: list[tuple[PostRecords | None, list[Diagnostic], list[Diagnostic]]] = []
    for (entered, modifications, problems), (acknowledgements, unread), (targets, untargeted), (records, more) in zip(
        sides, acknowledged, targeted, sources, strict=True
    ):
        problems = problems + unread + untargeted
        if entered is None:
            found.append((None, problems, more))
        else:
            own = tuple(target for _, target in targets)
            read = PostRecords(entered, modifications, records, acknowledgements, own)
            # The ISC's factors of the year, where it keeps them, in place of the post's own (H-423.1-1 b).
            year = entered.post.fiscal_year
            with_isc, problems = with_central_factors(central.get(year), table_name(year), (read, problems))
            found.append((with_isc, problems, more))
    return found


# The budget side's files with amounts: read by the readers of icass.bundle.load, which take an amount in cents
# as it is stored. The source records (procurement.csv's amounts) are parsed by polars from their text.
BUDGET_SIDE = frozenset(edit.READERS)


def run_stored_tdy(engine: Engine, post_id: int, as_of: dt.date) -> TdyRun:
    """The TDY module on a stored post (a prior-year final budget with its visits), as `run_tdy` on its bundle:
    rates from its run (run_stored), then its stored visits, services and policy billed on `as_of`. (With the
    rates of its accepted final version: icass.store.versions.stored_tdy.)"""
    run = run_stored(engine, post_id)
    with engine.connect() as connection:
        cells, policy = tdy_rows(connection, post_id)
    return tdy_of(run, cells, as_of, run.catalog, policy)


def tdy_rows(connection: Connection, post_id: int) -> tuple[StoredCells, str | None]:
    """A stored post's rows the TDY module reads besides its run: its cells (tdy/ files) and policy.toml's text."""
    query = select(documents.c.text).where(documents.c.post_id == post_id, documents.c.name == POLICY)
    return stored_cells(connection, post_id), connection.execute(query).scalar_one_or_none()


def _sources_of(cells: Sequence[StoredCells]) -> list[tuple[SourceRecords, list[Diagnostic]]]:
    present = [{name: c.files[name] for name in FILE_OF.values() if name in c.files} for c in cells]
    if not any(present):
        return [(SourceRecords(), []) for _ in cells]
    from icass.bundle.frames import sources_from_cells_of  # polars: only for posts with source records

    with_records = [i for i, found in enumerate(present) if found]
    parsed = dict(zip(with_records, sources_from_cells_of([present[i] for i in with_records]), strict=True))
    return [parsed.get(i, (SourceRecords(), [])) for i in range(len(cells))]
