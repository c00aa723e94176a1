"""An import and its entry of the record are one transaction (issue 16 §4): the rows are stored with their
`import` entry, or neither is (a record that cannot be written stores nothing), on SQLite and on PostgreSQL,
whichever way the import comes in: a bundle, a workbook, a world, a job of the workspace, the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from icass.bundle.workbook import read_folder
from icass.bundle.workbook_writer import write_workbook
from icass.cli import app
from icass.store import audit
from icass.store.audit import entries
from icass.store.bundles import import_bundle
from icass.store.database import open_database
from icass.store.schema import posts, worlds
from icass.store.workbooks import import_workbook
from icass.store.worlds import import_world
from tests.api.test_jobs import EXAMPLES, Person, _zip
from tests.api.test_jobs import empty_app as empty_app  # the fixture: the workspace with an admin

BUNDLE = EXAMPLES / "standard-post"
WORLD = EXAMPLES / "world"


class RecordBroke(RuntimeError):
    pass


@pytest.fixture
def broken_record(monkeypatch):
    """The record cannot be written (as when the disk fills or the lock is lost at that moment)."""

    def refuse(*_args, **_kwargs) -> None:
        raise RecordBroke("the record could not be written")

    monkeypatch.setattr(audit, "record", refuse)


def _stored(engine) -> tuple[int, int]:
    """How many posts and worlds the database holds."""
    with engine.connect() as connection:
        return (
            connection.execute(select(func.count()).select_from(posts)).scalar_one(),
            connection.execute(select(func.count()).select_from(worlds)).scalar_one(),
        )


def _imports(engine) -> list[tuple[str, str, str | None, int | None]]:
    with engine.connect() as connection:
        return [(e.user, e.entity, e.post, e.fiscal_year) for e in entries(connection) if e.action == "import"]


def _workbook(tmp_path: Path) -> Path:
    contents, _ = read_folder(BUNDLE)
    assert contents is not None
    write_workbook(contents, tmp_path / "kivara.xlsx")
    return tmp_path / "kivara.xlsx"


def test_each_import_leaves_exactly_one_entry_in_its_transaction(engine, tmp_path):
    stored, problems = import_bundle(engine, BUNDLE, user="admin")
    assert stored is not None, [str(p) for p in problems]
    assert _imports(engine) == [("admin", "post KVR 2027", "KVR", 2027)]
    book, problems = import_workbook(engine, _workbook(tmp_path), replace=True, user="hq")
    assert book is not None, [str(p) for p in problems]
    world, problems = import_world(engine, WORLD, replace=True, user="admin")
    assert world is not None, [str(p) for p in problems]
    assert _imports(engine) == [
        ("admin", f"the world of 2027 and its {len(world.posts)} posts", None, 2027),
        ("hq", "post KVR 2027", "KVR", 2027),
        ("admin", "post KVR 2027", "KVR", 2027),
    ]
    import_bundle(engine, EXAMPLES / "consulate")  # no one named (the demo's samples): no entry
    assert len(_imports(engine)) == 3


def test_an_import_whose_record_cannot_be_written_stores_nothing(engine, broken_record, tmp_path):
    with pytest.raises(RecordBroke):
        import_bundle(engine, BUNDLE, user="admin")
    with pytest.raises(RecordBroke):
        import_workbook(engine, _workbook(tmp_path), user="admin")
    with pytest.raises(RecordBroke):
        import_world(engine, WORLD, user="admin")
    assert _stored(engine) == (0, 0)
    assert _imports(engine) == []


def test_a_job_stores_its_import_with_its_entry_or_not_at_all(empty_app, monkeypatch):
    admin = Person(empty_app, "admin")
    engine = empty_app.state.engine

    def refuse(*_args, **_kwargs) -> None:
        raise RecordBroke("the record could not be written")

    with monkeypatch.context() as patched:
        patched.setattr(audit, "record", refuse)
        failed = admin.finished(admin.send("world.zip", _zip(WORLD)))
        assert failed["state"] == "failed", failed
        assert _stored(engine) == (0, 0)
        failed = admin.finished(admin.send("kivara.zip", _zip(BUNDLE)))
        assert failed["state"] == "failed", failed
        assert _stored(engine) == (0, 0)
    assert _imports(engine) == []
    done = admin.finished(admin.send("kivara.zip", _zip(BUNDLE)))
    assert done["state"] == "done", done
    assert _imports(engine) == [("admin", "post KVR 2027", "KVR", 2027)]


def test_the_import_command_is_recorded_as_the_system_account_s(tmp_path, monkeypatch):
    monkeypatch.setenv("LOGNAME", "operator")
    data = tmp_path / "data"
    result = CliRunner().invoke(app, ["import", str(EXAMPLES / "consulate"), "--data", str(data)])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["import", str(WORLD), "--data", str(data), "--replace"])
    assert result.exit_code == 0, result.output
    engine = open_database(f"sqlite:///{data / 'icass.db'}")
    try:
        assert [(user, post) for user, _, post, _ in _imports(engine)] == [
            ("operator (command line)", None),
            ("operator (command line)", "ALD"),
        ]
    finally:
        engine.dispose()
