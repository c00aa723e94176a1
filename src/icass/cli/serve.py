"""`icass serve`: the workspace (API and pages) on one address; `--demo` first loads the sample posts, the
sample world and one demonstration account per role (issue 8 §5)."""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path

import click

from icass.cli.store import data_option

DEMO_PASSWORD = "ICASS_DEMO_PASSWORD"


@click.command("serve")
@data_option
@click.option(
    "--demo",
    is_flag=True,
    help="Load the sample posts, the sample world and the demo accounts admin, fmo, committee, hq.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", type=int, default=8000, show_default=True, help="The port to listen on.")
def serve_command(data: Path | None, demo: bool, host: str, port: int) -> None:
    """Start the workspace: the pages at http://HOST:PORT/ and the API under /api (its schema at
    /openapi.json), on the embedded database in ./data (or --data) or on ICASS_DATABASE_URL."""
    import uvicorn

    from icass.cli.app import _err, _fail
    from icass.store.accounts import MIN_PASSWORD
    from icass.store.database import database_url, open_database
    from icass.web.app import create_app

    err = _err()
    password = os.environ.get(DEMO_PASSWORD) or secrets.token_urlsafe(12)
    if demo and len(password) < MIN_PASSWORD:
        _fail(f"{DEMO_PASSWORD} must have at least {MIN_PASSWORD} characters (it is the demo accounts' password)")
    engine = open_database(database_url(data))
    if demo:
        from icass.store.demo import load_demo, samples_folder

        loaded = load_demo(engine, samples_folder(), password)
        for d in loaded.problems:
            err.print(str(d), style="red", markup=False)
        if loaded.stored:
            err.print(f"stored the samples: {', '.join(loaded.stored)}", markup=False)
        if loaded.accounts:
            err.print(f"demo accounts ({', '.join(loaded.accounts)}), password: {password}", markup=False)
        if loaded.already_loaded:
            err.print("the demo is already loaded: its accounts keep the password they have", markup=False)
    loopback = _is_loopback(host)
    err.print(f"icass is at http://{host}:{port}/ (API schema: /openapi.json). Stop it with Ctrl-C.", markup=False)
    # The session cookie is sent only over HTTPS, except to a browser on this machine (loopback HTTP is
    # treated as secure by browsers, but a test client or curl would not send a Secure cookie over it).
    uvicorn.run(create_app(engine, secure_cookies=not loopback), host=host, port=port, log_level="warning")


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
