"""The security headers on every answer (issue 16 §3): pages, API and static files carry a Content-Security-Policy
without inline script or eval, nosniff, Referrer-Policy and, off loopback, HSTS; and the pages hold nothing that
policy would refuse. tests/web/test_browser.py shows the pages working under it in Chromium."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from fastapi.testclient import TestClient

from icass.api.headers import script_hash
from icass.web.app import create_app
from tests.web.test_web import app, signed_in  # noqa: F401 (the fixture app)

KVR, FY, AGENCY = "KVR", 2027, "1931.0"
TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "icass" / "web" / "templates"


def policy_of(answer) -> dict[str, list[str]]:
    """The Content-Security-Policy as {directive: sources}."""
    directives: dict[str, list[str]] = {}
    for part in answer.headers["content-security-policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def test_every_answer_carries_the_security_headers(app):  # noqa: F811 (the fixture)
    client, _ = signed_in(app, "fmo")
    answers = {
        "page": client.get(f"/posts/{KVR}/{FY}"),
        "sign-in page": TestClient(app).get("/login"),
        "API": client.get(f"/api/posts/{KVR}/{FY}"),
        "API refusal": TestClient(app).get("/api/session"),
        "static": client.get("/static/icass.css"),
        "vendored": client.get("/static/vendor/htmx/htmx.min.js"),
        "unknown": client.get("/nowhere"),
        "schema": client.get("/openapi.json"),
        "change": client.patch(f"/api/posts/{KVR}/{FY}/workload/6150:{AGENCY}", json={"count": "1", "version": 0}),
    }
    for what, answer in answers.items():
        assert answer.headers.get("x-content-type-options") == "nosniff", what
        assert answer.headers.get("referrer-policy") == "same-origin", what
        assert "strict-transport-security" not in answer.headers, f"{what}: HSTS on loopback"
        policy = policy_of(answer)
        assert policy["default-src"] == ["'self'"], what
        assert policy["frame-ancestors"] == ["'none'"], what
        assert policy["object-src"] == ["'none'"], what
        assert policy["base-uri"] == ["'none'"], what
        assert policy["form-action"] == ["'self'"], what
        for directive in ("script-src", "style-src"):
            assert policy[directive][0] == "'self'", what
            assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(policy[directive]), what
        # Scripts: this site, and the dashboard's import map by its hash, nothing else.
        assert all(s == "'self'" or s.startswith("'sha256-") for s in policy["script-src"]), what
        assert policy["style-src"] == ["'self'"], what


def test_hsts_when_the_server_is_not_on_loopback(engine):
    """`icass serve` on an address other than loopback creates the application with secure cookies: HSTS too."""
    client = TestClient(create_app(engine, secure_cookies=True), base_url="https://icass.example")
    for path in ("/login", "/api/session", "/static/icass.css"):
        hsts = client.get(path).headers.get("strict-transport-security", "")
        assert re.fullmatch(r"max-age=(\d+); includeSubDomains", hsts), path
        assert int(hsts.split("=")[1].split(";")[0]) >= 365 * 24 * 3600


class _Markup(HTMLParser):
    """Collects what a page would run without a script file: inline scripts, handlers, style attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.inline_scripts: list[str] = []
        self.handlers: list[str] = []
        self._in_script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.handlers += [f"<{tag} {name}>" for name, _ in attrs if name.startswith(("on", "hx-on", "style"))]
        self.handlers += [f"<{tag} {name}>" for name, value in attrs if (value or "").startswith("js:")]
        if tag == "script" and "src" not in found and found.get("type") != "application/json":
            self._in_script = ""

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            self._in_script += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_script is not None:
            self.inline_scripts.append(self._in_script)
            self._in_script = None


def test_no_template_holds_an_inline_handler_or_style():
    for template in sorted(TEMPLATES.glob("*.html")):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"\s(on[a-z]+|hx-on[:\w-]*|style)\s*=", text, re.IGNORECASE), template.name
        assert "javascript:" not in text.lower(), template.name


def test_the_pages_run_only_what_the_policy_allows(app):  # noqa: F811 (the fixture)
    """Every inline script block a page holds is one the policy allows by its hash (the data islands are not
    scripts); no page holds a handler attribute."""
    client, _ = signed_in(app, "fmo")
    paths = [
        "/",
        f"/posts/{KVR}/{FY}",
        f"/posts/{KVR}/{FY}/workload",
        f"/posts/{KVR}/{FY}/invoices/{AGENCY}",
        f"/posts/{KVR}/{FY}/tables",
        f"/posts/{KVR}/{FY}/tables/budget-lines",
        f"/posts/{KVR}/{FY}/scenarios",
        f"/posts/{KVR}/{FY}/tdy",
        "/audit",
    ]
    seen_inline = 0
    for path in paths:
        answer = client.get(path)
        assert answer.status_code == 200, path
        markup = _Markup()
        markup.feed(answer.text)
        assert markup.handlers == [], path
        allowed = policy_of(answer)["script-src"]
        for script in markup.inline_scripts:
            assert script_hash(script) in allowed, f"{path}: an inline script the policy refuses: {script[:80]}"
            seen_inline += 1
    assert seen_inline == 1  # the dashboard's import map


def test_the_api_docs_page_runs_under_its_own_policy(app):  # noqa: F811 (the fixture)
    """/api/docs (FastAPI's Swagger UI, from the vendored copy) starts with one inline script: its policy allows
    exactly that script, and nothing from another site."""
    answer = TestClient(app).get("/api/docs")
    assert answer.status_code == 200
    policy = policy_of(answer)
    markup = _Markup()
    markup.feed(answer.text)
    assert len(markup.inline_scripts) == 1
    assert script_hash(markup.inline_scripts[0]) in policy["script-src"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert all(source.startswith("'") for source in policy["script-src"] + policy["style-src"])  # no other host
    # The rest of the site does not allow that script.
    assert script_hash(markup.inline_scripts[0]) not in policy_of(TestClient(app).get("/login"))["script-src"]
