"""`icass serve --demo` (issue 16 §6): it starts from an installed wheel, whose package carries the samples; a
second run on the same data keeps what is there, the accounts' password included; a short demo password is a
clear error."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx2 as httpx
from click.testing import CliRunner

from icass.cli import app
from icass.store.accounts import authenticate
from icass.store.database import open_database
from icass.store.demo import SAMPLES, USERS, WORLD, load_demo, samples_folder
from tests.conftest import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def test_a_second_load_keeps_the_accounts_and_their_password(database_url):
    engine = open_database(database_url)
    try:
        first = load_demo(engine, ROOT / "examples", DEMO_PASSWORD)
        assert first.problems == ()
        assert first.accounts == USERS
        assert len(first.stored) == len(SAMPLES) + 1  # and the world
        again = load_demo(engine, ROOT / "examples", "another password entirely")
        assert again.already_loaded
        assert (again.stored, again.accounts, again.problems) == ((), (), ())
        assert authenticate(engine, "fmo", DEMO_PASSWORD, "127.0.0.1") is not None
        assert authenticate(engine, "fmo", "another password entirely", "127.0.0.1") is None
    finally:
        engine.dispose()


def test_a_short_demo_password_is_a_clear_error_and_nothing_is_made(tmp_path):
    result = CliRunner().invoke(
        app, ["serve", "--demo", "--data", str(tmp_path / "data")], env={"ICASS_DEMO_PASSWORD": "short"}
    )
    assert result.exit_code == 2
    assert "ICASS_DEMO_PASSWORD must have at least 8 characters" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "data").exists()


def test_the_samples_are_found_from_a_checkout():
    assert samples_folder() == ROOT / "examples"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve_demo(icass: Path, folder: Path, environment: dict[str, str], password: str) -> str:
    """Run `icass serve --demo` in `folder` until it answers and `fmo` signs in with `password`; what it printed."""
    port = _free_port()
    log = folder / f"serve-{port}.txt"
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(icass), "serve", "--demo", "--port", str(port)],
            cwd=folder,
            env=environment,
            stdout=output,
            stderr=output,
        )
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                assert server.poll() is None, log.read_text()
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/login", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.3)
            else:
                raise AssertionError(f"icass serve --demo did not answer in 120 s: {log.read_text()}")
            signed = httpx.post(f"http://127.0.0.1:{port}/api/session", json={"username": "fmo", "password": password})
            assert signed.status_code == 200, signed.text
        finally:
            server.terminate()
            server.wait(30)
    return log.read_text()


def test_the_demo_starts_from_an_installed_wheel(tmp_path):
    """What the README promises: `pip install .` then `icass serve --demo`, with no checkout beside it."""
    uv = os.environ.get("UV") or shutil.which("uv")
    assert uv, "this test builds and installs the wheel with uv, which bash .ci/run installs"
    built = subprocess.run(
        [uv, "build", "--wheel", "--out-dir", str(tmp_path / "dist"), str(ROOT)], capture_output=True, text=True
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("icass-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for sample in (*SAMPLES, WORLD):
        assert f"icass/examples/{sample}/post.toml" in names or f"icass/examples/{sample}/world.toml" in names
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "UV_PROJECT"))}
    venv = tmp_path / "venv"
    for step in (
        [uv, "venv", "--quiet", "--python", sys.executable, str(venv)],
        [uv, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"), str(wheel)],
    ):
        done = subprocess.run(step, capture_output=True, text=True, env=environment)
        assert done.returncode == 0, done.stderr
    elsewhere = tmp_path / "elsewhere"  # no examples/ beside it: the samples must come from the package
    elsewhere.mkdir()
    password = "a demo password"
    environment["ICASS_DEMO_PASSWORD"] = password
    environment.pop("ICASS_DATABASE_URL", None)
    first = _serve_demo(venv / "bin" / "icass", elsewhere, environment, password)
    assert "demo accounts (admin, fmo, committee, hq), password: a demo password" in first
    assert "error" not in first.lower()
    environment["ICASS_DEMO_PASSWORD"] = "not the first password"
    second = _serve_demo(venv / "bin" / "icass", elsewhere, environment, password)  # the first one still
    assert "already loaded" in second
    assert "error" not in second.lower()
    assert (elsewhere / "data" / "icass.db").is_file()
