"""An agency's staffing data as it certifies it (issue 20 §2, docs/workspace.md "The data call and staffing
certification"): its people.csv rows at post on the data call's count date, and the SHA-256 of exactly those rows.

An agency's rows are those whose `agency` is its code, and the family members (EFM, MOH: their `agency` is empty)
whose sponsor is one of its people, as the counts follow a family member to its sponsor's agency (H-352). Of
those, the rows at post on the count date: started on or before it and not ended before it (a row whose dates do
not read as dates is kept: what cannot be judged is certified as it stands).

The canonical serialization the hash is taken of: a CSV text, UTF-8, lines ending in "\\n", quoted only where
a cell needs it (Python's csv module, QUOTE_MINIMAL); its first line is every column of people.csv's format in
the format's order (whatever columns the post's file has: one it leaves out is empty), then the rows, each
cell's text as stored, sorted by their cells. Columns beyond the format, and the rows' order and numbers in the
file, are not part of it: they do not change what is counted."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections import Counter
from collections.abc import Sequence

from icass.bundle.format import FILES

PEOPLE = "people.csv"
COLUMNS: tuple[str, ...] = tuple(c.name for c in FILES[PEOPLE].columns)
FAMILY = frozenset({"EFM", "MOH"})
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _at_post(row: Sequence[str], count_date: dt.date) -> bool:
    start, end = row[COLUMNS.index("start_date")], row[COLUMNS.index("end_date")]
    first, last = _day(start), _day(end) if end else None
    if first is None or (end and last is None):
        return True
    return first <= count_date and (last is None or last >= count_date)


def agency_rows(rows: Sequence[Sequence[str]], agency: str, count_date: dt.date) -> list[list[str]]:
    """`agency`'s rows (see the module's note) at post on `count_date`, in canonical order."""
    person, of, category, sponsor = (COLUMNS.index(n) for n in ("person_id", "agency", "category", "sponsor_id"))
    people = {r[person] for r in rows if r[of] == agency and r[category] not in FAMILY}
    mine = [
        list(r)
        for r in rows
        if (r[of] == agency or (r[category] in FAMILY and not r[of] and r[sponsor] in people))
        and _at_post(r, count_date)
    ]
    return sorted(mine)


def serialized(rows: Sequence[Sequence[str]]) -> bytes:
    """The canonical serialization of `rows` (already canonical rows, see the module's note)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    writer.writerows(sorted(list(r) for r in rows))
    return out.getvalue().encode("utf-8")


def rows_sha256(rows: Sequence[Sequence[str]]) -> str:
    return hashlib.sha256(serialized(rows)).hexdigest()


def by_category(rows: Sequence[Sequence[str]]) -> dict[str, int]:
    """How many of `rows` are of each category (H-352), in the order categories first appear sorted."""
    found = Counter(r[COLUMNS.index("category")] for r in rows)
    return dict(sorted(found.items()))
