"""Screenshots of each role's main pages at 1,280 px wide, as docs/screens/*.png (issue 18): the demo stored in
a temporary SQLite database, the workspace served on loopback, Debian's Chromium signed in as each role.

Run: `uv run python scripts/screens.py [--out docs/screens]`. Each shot is the first screen a person sees
(1,280 x 900), or the whole page with `--full`. The README shows one of them.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from icass.store.database import open_database
from icass.store.demo import load_demo
from icass.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "screens-only-password-1"
WIDTH, HEIGHT = 1280, 900
FY = 2027

# (file name, role, path): the pages each role works in most; `{scenario}` is a what-if made for the shot.
SHOTS: list[tuple[str, str, str]] = [
    ("fmo-post-home", "fmo", f"/posts/KVR/{FY}"),
    ("fmo-workload", "fmo", f"/posts/KVR/{FY}/workload"),
    ("fmo-budget-editor", "fmo", f"/posts/KVR/{FY}/tables/budget-lines"),
    ("fmo-positions", "fmo", f"/posts/KVR/{FY}/positions"),
    ("fmo-budget-summary", "fmo", f"/posts/KVR/{FY}/budget-summary"),
    ("fmo-what-if", "fmo", f"/posts/KVR/{FY}/scenarios/{{scenario}}"),
    ("fmo-invoice", "fmo", f"/posts/KVR/{FY}/invoices/1931.0"),
    ("committee-review", "committee", f"/posts/KVR/{FY}/committee"),
    ("hq-home", "hq", "/"),
    ("hq-post-invoice", "hq", f"/posts/KVR/{FY}/invoices/1931.0"),
    ("isc-world", "admin", f"/world/{FY}"),
    ("isc-imports", "admin", "/imports"),
    ("isc-record", "admin", "/audit"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _a_what_if(context: Any, token: str) -> str:
    """A what-if of KVR with one budget line changed, its id."""
    headers = {"X-CSRF-Token": token}
    base = f"/api/posts/KVR/{FY}"
    made = context.request.post(f"{base}/scenarios", data={"name": "A larger motor pool"}, headers=headers)
    assert made.ok, made.text()
    scenario = made.json()["id"]
    line = next(r for r in context.request.get(f"{base}/budget-lines").json() if r["cost_center"].startswith("6"))
    change = {"resource": "budget-lines", "target": str(line["id"]), "values": {"amount": "95000.00"}}
    added = context.request.post(f"{base}/scenarios/{scenario}/changes", data=change, headers=headers)
    assert added.ok, added.text()
    return str(scenario)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screens")
    parser.add_argument("--full", action="store_true", help="the whole page, not its first screen")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        print("Debian's chromium is needed: apt-get install chromium", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        engine = open_database(f"sqlite:///{folder}/icass.db")
        load_demo(engine, ROOT / "examples", PASSWORD)
        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(engine, secure_cookies=False), port=port, log_level="error"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
                for role in dict.fromkeys(role for _, role, _ in SHOTS):
                    context = browser.new_context(
                        base_url=f"http://127.0.0.1:{port}", viewport={"width": WIDTH, "height": HEIGHT}
                    )
                    signed = context.request.post("/api/session", data={"username": role, "password": PASSWORD})
                    assert signed.ok, signed.text()
                    scenario = _a_what_if(context, signed.json()["csrf_token"]) if role == "fmo" else ""
                    page = context.new_page()
                    for name, who, path in SHOTS:
                        if who != role:
                            continue
                        path = path.format(scenario=scenario)
                        answer = page.goto(path)
                        status = answer.status if answer is not None else 0
                        page.wait_for_load_state("networkidle")
                        target = args.out / f"{name}.png"
                        page.screenshot(path=str(target), full_page=args.full)
                        print(
                            f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}  {status}  {path}"
                        )
                    context.close()
                browser.close()
        finally:
            server.should_exit = True
            thread.join()
            engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
