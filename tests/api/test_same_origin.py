"""Changes from another site's pages are refused (issue 16 §3, login CSRF): a foreign Origin, or without one a
foreign Referer, on any POST, PUT, PATCH or DELETE, signing in included, is a 403 (icass.api.origin)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from icass.api.guard import CSRF_HEADER
from icass.api.origin import origin_of
from tests.conftest import DEMO_PASSWORD
from tests.web.test_web import app, signed_in  # noqa: F401 (the fixture app)

KVR, FY, AGENCY = "KVR", 2027, "1931.0"
HERE = "http://testserver"  # TestClient's own origin
ELSEWHERE = "https://attacker.example"


def test_signing_in_from_another_sites_page_is_refused(app):  # noqa: F811 (the fixture)
    form = {"username": "hq", "password": DEMO_PASSWORD}
    for headers in ({"Origin": ELSEWHERE}, {"Origin": "null"}, {"Referer": f"{ELSEWHERE}/trap.html"}):
        client = TestClient(app)
        by_form = client.post("/login", data=form, headers=headers, follow_redirects=False)
        assert by_form.status_code == 403, headers
        assert "refused" in by_form.json()["detail"]
        by_api = client.post("/api/session", json=form, headers=headers)
        assert by_api.status_code == 403, headers
        assert "refused" in by_api.json()["detail"]
        assert "icass_session" not in client.cookies
        assert client.get("/api/session").status_code == 401  # not signed in


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": HERE},
        {"Origin": "http://TestServer:80"},  # the same origin, spelled otherwise
        {"Referer": f"{HERE}/login?next=x"},
        {},  # neither: a client that is not a browser (see icass.api.origin)
    ],
)
def test_signing_in_from_this_sites_page_works(app, headers):  # noqa: F811 (the fixture)
    form = {"username": "hq", "password": DEMO_PASSWORD}
    client = TestClient(app)
    by_form = client.post("/login", data=form, headers=headers, follow_redirects=False)
    assert by_form.status_code == 303, by_form.text
    assert client.get("/api/session").json()["username"] == "hq"
    assert TestClient(app).post("/api/session", json=form, headers=headers).status_code == 200


def test_a_change_from_another_site_is_refused_even_with_the_token(app):  # noqa: F811 (the fixture)
    client, csrf = signed_in(app, "fmo")
    before = client.get(f"/api/posts/{KVR}/{FY}/workload").text
    line = next(x for x in json.loads(before) if x["cost_center"] == "6150" and x["agency"] == AGENCY)
    url = f"/api/posts/{KVR}/{FY}/workload/{line['id']}"
    for method in ("PATCH", "PUT", "POST", "DELETE"):
        answer = client.request(
            method,
            url,
            json={"count": "7", "version": line["version"]},
            headers={CSRF_HEADER: csrf, "Origin": ELSEWHERE},
        )
        assert answer.status_code == 403, method
        assert ELSEWHERE in answer.json()["detail"]
    assert client.get(f"/api/posts/{KVR}/{FY}/workload").text == before
    # Another port or scheme of the same host is another origin too.
    for other in ("http://testserver:8080", "https://testserver"):
        answer = client.patch(url, json={"count": "7", "version": 0}, headers={CSRF_HEADER: csrf, "Origin": other})
        assert answer.status_code == 403, other
    # Reading is not a change: a foreign Origin on a GET is left to the browser's same-origin policy.
    assert client.get(url.rsplit("/", 1)[0], headers={"Origin": ELSEWHERE}).status_code == 200


def test_a_change_from_this_site_works(app):  # noqa: F811 (the fixture)
    client, csrf = signed_in(app, "fmo")
    lines = client.get(f"/api/posts/{KVR}/{FY}/workload").json()
    line = next(x for x in lines if x["cost_center"] == "6150" and x["agency"] == AGENCY)
    url = f"/api/posts/{KVR}/{FY}/workload/{line['id']}"
    sent = {"count": "7", "version": line["version"]}
    answer = client.patch(url, json=sent, headers={CSRF_HEADER: csrf, "Origin": HERE})
    assert answer.status_code == 200, answer.text
    assert client.get(url).json()["count"] == "7"


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://example.org", ("http", "example.org", 80)),
        ("https://Example.org:443/x?y", ("https", "example.org", 443)),
        ("http://[::1]:8000/", ("http", "::1", 8000)),
        ("null", None),
        ("/relative", None),
        ("javascript:alert(1)", None),
        ("http://example.org:99999", None),
        ("", None),
    ],
)
def test_an_origin_is_scheme_host_and_port(url, origin):
    assert origin_of(url) == origin


def test_behind_a_proxy_the_forwarded_scheme_is_the_requests_own(app):  # noqa: F811 (the fixture)
    """The reading icass.api.origin documents: behind a proxy that ends TLS, uvicorn's proxy headers (trusted
    from the proxy's address) give the request the scheme the browser used, so the browser's https Origin is
    this site's own; without them the same request is refused rather than guessed at."""
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    form = {"username": "hq", "password": DEMO_PASSWORD}
    browser_says = {"Origin": "https://testserver"}
    proxied = TestClient(ProxyHeadersMiddleware(app, trusted_hosts="*"))
    assert proxied.post("/api/session", json=form, headers=browser_says | {"X-Forwarded-Proto": "https"}).is_success
    assert TestClient(app).post("/api/session", json=form, headers=browser_says).status_code == 403
