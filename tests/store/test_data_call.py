"""The data call and staffing certification in the store (issue 20 §2): icass.model.data_call's defaults and
order of dates, icass.store.data_call, icass.store.certifications judged by the hash of the rows certified
(icass.views.staffing), and migration 0012."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import inspect, select, update

from icass.model.data_call import DataCall, Invalid, defaults, made
from icass.store import certifications, data_call
from icass.store.accounts import Account, Grant
from icass.store.bundles import import_bundle, new_revision
from icass.store.changes import find_post, update_row
from icass.store.schema import ROW_TABLES, audit_log, posts
from icass.views.staffing import COLUMNS, agency_rows, rows_sha256, serialized
from tests.store.test_store import ROOT
from tests.store.test_versions import _alembic

SAMPLE = ROOT / "examples" / "standard-post"
ISC = Account(0, "isc", (Grant("admin"),))
D = dt.date


def test_the_defaults_of_fiscal_year_n_are_may_1_of_n_1_and_the_twelve_months_before():
    assert defaults(2027) == DataCall(2027, D(2026, 5, 1), D(2025, 5, 1), D(2026, 4, 30), D(2026, 6, 1), D(2026, 7, 1))


def test_the_dates_given_replace_the_defaults_and_a_moved_count_date_takes_its_window_along():
    call = made(2027, {"count_date": D(2026, 4, 15), "counts_agreed_by": D(2026, 8, 1)})
    assert (call.window_start, call.window_end) == (D(2025, 4, 15), D(2026, 4, 14))
    assert (call.counts_to_agencies_by, call.counts_agreed_by) == (D(2026, 6, 1), D(2026, 8, 1))
    leap = made(2025, {"count_date": D(2024, 2, 29)})
    assert (leap.window_start, leap.window_end) == (D(2023, 3, 1), D(2024, 2, 28))
    kept = made(2027, {"counts_agreed_by": D(2026, 7, 15)}, base=call)  # a change keeps what it does not give
    assert (kept.count_date, kept.counts_agreed_by) == (D(2026, 4, 15), D(2026, 7, 15))


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"window_start": D(2026, 5, 1)}, "window_end"),  # the window starts after it ends
        ({"window_end": D(2026, 5, 1)}, "count_date"),  # the window reaches the count date
        ({"counts_to_agencies_by": D(2026, 4, 1)}, "counts_to_agencies_by"),  # before the count
        ({"counts_agreed_by": D(2026, 5, 31)}, "counts_agreed_by"),  # agreed before they are sent
        (  # in the budget year itself
            {
                "count_date": D(2026, 10, 1),
                "counts_to_agencies_by": D(2026, 10, 2),
                "counts_agreed_by": D(2026, 10, 3),
            },
            "count_date",
        ),
        ({"opened": D(2026, 1, 1)}, "opened"),
    ],
)
def test_dates_out_of_order_are_refused_naming_the_date(given, field):
    with pytest.raises(Invalid) as refused:
        made(2027, given)
    assert refused.value.field == field


def test_a_fiscal_year_out_of_range_is_refused():
    with pytest.raises(Invalid) as refused:
        defaults(99999)
    assert refused.value.field == "fiscal_year"


def test_the_isc_opens_and_changes_the_data_call_and_each_is_recorded(engine):
    with engine.begin() as connection:
        assert data_call.get(connection, 2027) is None
        opened = data_call.open_or_change(connection, 2027, "isc")
        assert (opened.count_date, opened.opened_by) == (D(2026, 5, 1), "isc")
        changed = data_call.open_or_change(connection, 2027, "isc2", counts_agreed_by=D(2026, 7, 10))
        assert data_call.get(connection, 2027) == changed
        assert (changed.count_date, changed.counts_agreed_by) == (D(2026, 5, 1), D(2026, 7, 10))
        assert changed.opened_by == "isc2"
        with pytest.raises(Invalid):
            data_call.open_or_change(connection, 2027, "isc", counts_agreed_by=D(2026, 1, 1))
        entries = connection.execute(select(audit_log.c.action, audit_log.c.after).order_by(audit_log.c.id)).all()
    assert [e.action for e in entries[-2:]] == ["open data call", "change data call"]
    assert entries[-1].after["counts_agreed_by"] == "2026-07-10"


def test_the_canonical_serialization_is_the_format_s_columns_and_the_rows_sorted():
    rows = [
        ["B", "1900.0", "USDH", "", "", "", "2020-01-01", "", "", "", "", ""],
        ["A", "1900.0", "USDH", "", "", "", "2020-01-01", "", "", "", "", "POS, 1"],
    ]
    text = serialized(rows)
    assert (
        text
        == (
            ",".join(COLUMNS)
            + "\n"
            + 'A,1900.0,USDH,,,,2020-01-01,,,,,"POS, 1"\n'
            + "B,1900.0,USDH,,,,2020-01-01,,,,,\n"
        ).encode()
    )
    assert rows_sha256(rows) == hashlib.sha256(text).hexdigest() == rows_sha256(list(reversed(rows)))


def test_an_agency_s_rows_are_its_people_and_their_families_at_post_on_the_count_date():
    def person(pid, agency, category, sponsor="", start="2020-01-01", end=""):
        return [pid, agency, category, sponsor, "", "", start, end, "", "", "", ""]

    rows = [
        person("S1", "1900.0", "USDH"),
        person("S1-F", "", "EFM", "S1"),
        person("S2", "1900.0", "USDH", end="2026-04-30"),  # left before the count date
        person("S3", "1900.0", "USDH", start="2026-05-02"),  # arrives after it
        person("S4", "1900.0", "USDH", end="2026-05-01"),  # there on the day
        person("U1", "7200.0", "USDH"),
        person("U1-F", "", "MOH", "U1"),
    ]
    mine = agency_rows(rows, "1900.0", D(2026, 5, 1))
    assert [r[0] for r in mine] == ["S1", "S1-F", "S4"]
    assert [r[0] for r in agency_rows(rows, "7200.0", D(2026, 5, 1))] == ["U1", "U1-F"]


def _post(engine):
    stored, problems = import_bundle(engine, SAMPLE)
    assert stored is not None, [str(p) for p in problems]
    with engine.begin() as connection:
        return find_post(connection, stored.code, stored.fiscal_year)


def _person_of(connection, post, agency):
    people = ROW_TABLES["people.csv"]
    return connection.execute(
        select(people.c.id, people.c.version, people.c.person_id)
        .where(people.c.post_id == post.id, people.c.agency == agency, people.c.end_date == "")
        .order_by(people.c.line)
        .limit(1)
    ).one()


def test_a_certification_is_refused_before_the_data_call_and_by_who_may_not(engine):
    post = _post(engine)
    fmo = Account(0, "fmo", (Grant("fmo", post=post.code),))
    other = Account(0, "usaid", (Grant("committee", post=post.code, agency="7200.0"),))
    hq = Account(0, "state hq", (Grant("hq", agency="1900.0"),))
    with engine.begin() as connection:
        with pytest.raises(certifications.NotOpen, match="has not opened the data call of fiscal year"):
            certifications.certify(connection, post, hq, "1900.0", "")
        data_call.open_or_change(connection, post.fiscal_year, "isc")
        for account in (fmo, other):
            with pytest.raises(certifications.NotYours, match=r"may not certify 1900\.0"):
                certifications.certify(connection, post, account, "1900.0", "")
        with pytest.raises(certifications.UnknownAgency):
            certifications.certify(connection, post, ISC, "0000.0", "")
        assert certifications.status(connection, post)["1900.0"].state == certifications.NOT_CERTIFIED
        done = certifications.certify(connection, post, hq, "1900.0", "as in the system of record")
    assert (done.state, done.by, done.comment) == ("certified", "state hq", "as in the system of record")
    assert done.sha256 == done.current_sha256
    assert done.certified_rows == done.rows > 0


def test_an_edit_to_a_certified_agency_s_people_clears_its_certification_and_says_so(engine):
    post = _post(engine)
    with engine.begin() as connection:
        data_call.open_or_change(connection, post.fiscal_year, "isc")
        certified = certifications.certify(connection, post, ISC, "1900.0", "")
        certifications.certify(connection, post, ISC, "7200.0", "")
        row = _person_of(connection, post, "1900.0")
        held = certifications.certified(connection, post)
        assert held == {"1900.0", "7200.0"}
        update_row(connection, post, "people.csv", row.id, {"end_date": "2026-04-01"}, row.version, "fmo")
        said = certifications.clear_changed(connection, post, "fmo", held)
        assert said == [f"1900.0's staffing certification of {certified.at[:10]} was cleared by this change"]
        assert certifications.clear_changed(connection, post, "fmo", held) == []  # said once
        found = certifications.status(connection, post)
        actions = connection.execute(select(audit_log.c.action).order_by(audit_log.c.id.desc()).limit(1)).scalar()
    assert (found["1900.0"].state, found["1900.0"].cleared_by) == ("cleared", "fmo")
    assert found["1900.0"].cleared_at is not None
    assert found["1900.0"].current_sha256 != found["1900.0"].sha256
    assert found["7200.0"].state == "certified"  # another agency's certification stands
    assert actions == "clear certification"


def test_any_path_that_changes_the_rows_clears_it_and_so_does_a_moved_count_date(engine):
    post = _post(engine)
    people = ROW_TABLES["people.csv"]
    with engine.begin() as connection:
        data_call.open_or_change(connection, post.fiscal_year, "isc")
        certifications.certify(connection, post, ISC, "1900.0", "")
        certifications.certify(connection, post, ISC, "7200.0", "")
        row = _person_of(connection, post, "1900.0")
        # as an import would: the rows and the post's revision change, no change recorded
        connection.execute(update(people).where(people.c.id == row.id).values(category="TCN"))
        connection.execute(update(posts).where(posts.c.id == post.id).values(revision=new_revision()))
        found = certifications.status(connection, post)
        assert (found["1900.0"].state, found["1900.0"].cleared_at) == ("cleared", None)
        assert "changed since" in found["1900.0"].reason
        held = certifications.certified(connection, post)
        assert held == {"7200.0"}
        other = _person_of(connection, post, "7500.0")  # a later edit, of another agency, does not claim it
        update_row(connection, post, "people.csv", other.id, {"end_date": "2026-04-01"}, other.version, "fmo")
        assert certifications.clear_changed(connection, post, "fmo", held) == []
        data_call.open_or_change(connection, post.fiscal_year, "isc", count_date=D(2026, 4, 1))
        moved = certifications.status(connection, post)["7200.0"]
    assert (moved.state, moved.cleared_by) == ("cleared", "isc")
    assert moved.reason == "the data call's count date moved from 2026-05-01 to 2026-04-01"


def test_the_staffing_rows_are_read_once_a_revision_of_the_post(engine, monkeypatch):
    """The post's home and every inbox ask where the certifications stand: the people's rows are read and
    hashed again only after the post changed."""
    post = _post(engine)
    read: list[int] = []
    people_of = certifications._people
    monkeypatch.setattr(certifications, "_people", lambda c, p: read.append(p.id) or people_of(c, p))
    with engine.begin() as connection:
        data_call.open_or_change(connection, post.fiscal_year, "isc")
        first = certifications.status(connection, post)
        assert certifications.status(connection, post) == first
        assert len(read) == 1
        row = _person_of(connection, post, "1900.0")
        update_row(connection, post, "people.csv", row.id, {"category": "TCN"}, row.version, "fmo")
        after = certifications.status(connection, post)
    assert len(read) == 2
    assert after["1900.0"].current_sha256 != first["1900.0"].current_sha256
    assert after["7200.0"] == first["7200.0"]


def test_the_migration_adds_the_tables_and_removes_them(tmp_path):
    (tmp_path / "data").mkdir()
    url = f"sqlite:///{tmp_path / 'data' / 'icass.db'}"
    _alembic(url, "head")
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.connect() as connection:
        assert {"data_calls", "certifications"} <= set(inspect(connection).get_table_names())
    _alembic(url, "0010", down=True)
    with engine.connect() as connection:
        assert not {"data_calls", "certifications"} & set(inspect(connection).get_table_names())
    _alembic(url, "head")
    engine.dispose()
