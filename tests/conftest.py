"""The databases the store's tests run against: SQLite always, and PostgreSQL when ICASS_TEST_POSTGRES_URL
names a server (.ci/run starts a throwaway cluster and sets it; in CI it must be set)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator

import pytest

# Every temporary file and folder of this test process, the tests' own and those the code under test makes, goes
# into one folder removed when the process ends: cached fixtures and hypothesis examples make them outside any
# with-block, and each left a folder behind in /tmp on every run. Subprocesses inherit it through TMPDIR.
_RUN_TEMPORARY = tempfile.mkdtemp(prefix="icass-tests-")
tempfile.tempdir = os.environ["TMPDIR"] = _RUN_TEMPORARY
atexit.register(shutil.rmtree, _RUN_TEMPORARY, ignore_errors=True)

POSTGRES = os.environ.get("ICASS_TEST_POSTGRES_URL", "")
if os.environ.get("CI") and not POSTGRES:
    raise RuntimeError("CI runs the store's tests on PostgreSQL too: run .ci/run, which sets ICASS_TEST_POSTGRES_URL")

# The catalog's compiled cache (icass.catalog.compiled) is kept in a folder of the test run, not the user's.
os.environ.setdefault("ICASS_CACHE_DIR", tempfile.mkdtemp(prefix="icass-test-cache-"))

# Cheap argon2 parameters for the tests' accounts (icass.store.accounts.ARGON2_PROFILES): the default cost is
# meant to be slow, and the tests sign in hundreds of times. Production never sets it.
os.environ["ICASS_ARGON2_PROFILE"] = "test"

BACKENDS = ["sqlite", "postgresql"] if POSTGRES else ["sqlite"]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """A new, empty database of each backend, dropped after the test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'icass.db'}"
        return
    from sqlalchemy import create_engine, text

    name = f"icass_test_{uuid.uuid4().hex[:12]}"
    server = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES.rsplit("/", 1)[0] + "/" + name
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[object]:
    """The database of `database_url`, migrated; its connections closed after the test."""
    from icass.store.database import open_database

    opened = open_database(database_url)
    try:
        yield opened
    finally:
        opened.dispose()


DEMO_PASSWORD = "correct horse battery staple"
_templates: dict[str, str] = {}


def _seed(url: str) -> None:
    from pathlib import Path

    from icass.store.database import open_database
    from icass.store.demo import load_demo

    opened = open_database(url)
    try:
        loaded = load_demo(opened, Path(__file__).resolve().parent.parent / "examples", DEMO_PASSWORD)
        assert not loaded.problems, [str(p) for p in loaded.problems]
    finally:
        opened.dispose()


@pytest.fixture(params=BACKENDS)
def seeded_url(request: pytest.FixtureRequest, tmp_path_factory, tmp_path) -> Iterator[str]:
    """A database with the sample posts and the demo accounts (password DEMO_PASSWORD), new for each test: a
    copy of one seeded once per test process (SQLite: the file; PostgreSQL: CREATE DATABASE ... TEMPLATE)."""
    if request.param == "sqlite":
        if "sqlite" not in _templates:
            seeded = tmp_path_factory.mktemp("seeded") / "icass.db"
            _seed(f"sqlite:///{seeded}")
            _templates["sqlite"] = str(seeded)
        (tmp_path / "data").mkdir()
        shutil.copyfile(_templates["sqlite"], tmp_path / "data" / "icass.db")
        yield f"sqlite:///{tmp_path / 'data' / 'icass.db'}"
        return
    from sqlalchemy import create_engine, text

    base = POSTGRES.rsplit("/", 1)[0]
    server = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    try:
        if "postgresql" not in _templates:
            template = f"icass_seed_{uuid.uuid4().hex[:12]}"
            with server.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{template}"'))
            _seed(f"{base}/{template}")
            _templates["postgresql"] = template
        name = f"icass_test_{uuid.uuid4().hex[:12]}"
        with server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{_templates["postgresql"]}"'))
        yield f"{base}/{name}"
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        server.dispose()
