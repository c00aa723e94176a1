"""The databases the store's tests run against: SQLite always, and PostgreSQL when ICASS_TEST_POSTGRES_URL
names a server (.ci/run starts a throwaway cluster and sets it; in CI it must be set).

On PostgreSQL each test's database is owned by OWNER_ROLE, which migrates it (ICASS_DATABASE_OWNER_URL, set for
the test), and the application connects as APP_LOGIN, a login that owns nothing (icass.store.database): the
URL a fixture yields is the application's. ICASS_TEST_POSTGRES_URL is a superuser's, which makes both roles
when they are missing (.ci/run makes them first)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

# Every temporary file and folder of this test process, the tests' own and those the code under test makes, goes
# into one folder removed when the process ends: cached fixtures and hypothesis examples make them outside any
# with-block, and each left a folder behind in /tmp on every run. Subprocesses inherit it through TMPDIR.
_RUN_TEMPORARY = tempfile.mkdtemp(prefix="icass-tests-")
tempfile.tempdir = os.environ["TMPDIR"] = _RUN_TEMPORARY
atexit.register(shutil.rmtree, _RUN_TEMPORARY, ignore_errors=True)

if TYPE_CHECKING:
    from sqlalchemy import Engine

POSTGRES = os.environ.get("ICASS_TEST_POSTGRES_URL", "")
if os.environ.get("CI") and not POSTGRES:
    raise RuntimeError("CI runs the store's tests on PostgreSQL too: run .ci/run, which sets ICASS_TEST_POSTGRES_URL")

# The catalog's compiled cache (icass.catalog.compiled) is kept in a folder of the test run, not the user's.
os.environ.setdefault("ICASS_CACHE_DIR", tempfile.mkdtemp(prefix="icass-test-cache-"))

# Cheap argon2 parameters for the tests' accounts (icass.store.accounts.ARGON2_PROFILES): the default cost is
# meant to be slow, and the tests sign in hundreds of times. Production never sets it.
os.environ["ICASS_ARGON2_PROFILE"] = "test"

BACKENDS = ["sqlite", "postgresql"] if POSTGRES else ["sqlite"]
OWNER_ROLE, APP_LOGIN = "icass_owner", "icass_app"
_roles_made: list[bool] = []


def _url(role: str, database: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(POSTGRES).set(username=role, database=database).render_as_string(hide_password=False)


def _new_database(server: Engine, name: str, template: str | None = None) -> None:
    """CREATE DATABASE owned by OWNER_ROLE, the two roles made first when the cluster lacks them."""
    from sqlalchemy import text

    with server.connect() as connection:
        if not _roles_made:
            # The owner migrates: it makes icass_app's grants (migration 0002), hence CREATEROLE; the
            # application's login is icass_app itself, made here with LOGIN (trust on loopback, no password).
            # Another test process may make them at the same moment: unique_violation is its win.
            for role, options in ((OWNER_ROLE, "LOGIN CREATEROLE"), (APP_LOGIN, "LOGIN")):
                connection.execute(
                    text(
                        f"DO $$ BEGIN CREATE ROLE {role} {options}; "
                        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
                    )
                )
                # A cluster where migration 0002 made icass_app before (NOLOGIN) gets it as a login now.
                connection.execute(text(f"ALTER ROLE {role} {options}"))
            _roles_made.append(True)
        like = f' TEMPLATE "{template}"' if template else ""
        connection.execute(text(f'CREATE DATABASE "{name}"{like} OWNER {OWNER_ROLE}'))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path, monkeypatch) -> Iterator[str]:
    """A new, empty database of each backend, dropped after the test."""
    from icass.store.database import OWNER_URL

    monkeypatch.delenv(OWNER_URL, raising=False)
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'icass.db'}"
        return
    from sqlalchemy import create_engine, text

    name = f"icass_test_{uuid.uuid4().hex[:12]}"
    server = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    _new_database(server, name)
    monkeypatch.setenv(OWNER_URL, _url(OWNER_ROLE, name))
    try:
        yield _url(APP_LOGIN, name)
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


def _seed(url: str, owner_url: str | None = None) -> None:
    from pathlib import Path

    from icass.store.database import OWNER_URL, open_database
    from icass.store.demo import load_demo

    if owner_url:
        os.environ[OWNER_URL] = owner_url  # the fixture that seeds sets it for its test anyway
    opened = open_database(url)
    try:
        loaded = load_demo(opened, Path(__file__).resolve().parent.parent / "examples", DEMO_PASSWORD)
        assert not loaded.problems, [str(p) for p in loaded.problems]
    finally:
        opened.dispose()


@pytest.fixture(params=BACKENDS)
def seeded_url(request: pytest.FixtureRequest, tmp_path_factory, tmp_path, monkeypatch) -> Iterator[str]:
    """A database with the sample posts and the demo accounts (password DEMO_PASSWORD), new for each test: a
    copy of one seeded once per test process (SQLite: the file; PostgreSQL: CREATE DATABASE ... TEMPLATE)."""
    from icass.store.database import OWNER_URL

    monkeypatch.delenv(OWNER_URL, raising=False)
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

    server = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    try:
        if "postgresql" not in _templates:
            template = f"icass_seed_{uuid.uuid4().hex[:12]}"
            _new_database(server, template)
            _seed(_url(APP_LOGIN, template), _url(OWNER_ROLE, template))
            _templates["postgresql"] = template
        name = f"icass_test_{uuid.uuid4().hex[:12]}"
        _new_database(server, name, _templates["postgresql"])
        monkeypatch.setenv(OWNER_URL, _url(OWNER_ROLE, name))
        yield _url(APP_LOGIN, name)
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        server.dispose()


# The slow tests, left out of the fast subset (`pytest -m "not slow"`: the core, the store and the command, for the
# loop of a change; CONTRIBUTING.md) and run by the whole suite (.ci/run). Marked here by folder, file and test
# name rather than in each file, so that what the fast subset leaves out is one list.
SLOW_LAYERS = {
    "api",  # the workspace through its API: sign-in, jobs, editors, PDFs, schemathesis over every route
    "web",  # the pages, and a browser (Playwright, chromium)
}
SLOW_FILES = {
    # the busy database, jobs recovered, and two processes on one database
    "test_busy_database.py",
    "test_job_recovery.py",
    "test_states.py",
    # hypothesis over many random posts and worlds, and worlds stored, computed and written back
    "test_bundle_fuzz.py",
    "test_distribution_properties.py",
    "test_tdy_properties.py",
    "test_workload_properties.py",
    "test_store_world.py",
    # the benchmark scripts, run small
    "test_benchmarks.py",
}
SLOW_TESTS = {
    "test_ruff",  # ruff and mypy over the whole tree (tests/project/test_code_quality.py)
    "test_mypy_strict",
    "test_the_demo_starts_from_an_installed_wheel",  # builds the wheel and installs it in a new environment
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        slow_file = item.path.parent.name in SLOW_LAYERS or item.path.name in SLOW_FILES
        if slow_file or getattr(item, "originalname", item.name) in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
