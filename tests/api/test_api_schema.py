"""Schemathesis against the API's own OpenAPI schema (issue 8 §3): every read route, signed in as the
ICASS Service Center, answers as its schema says and never with a server error."""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from icass.api.app import ROUTERS
from icass.store.database import open_database
from icass.web.app import create_app
from tests.conftest import DEMO_PASSWORD


@pytest.fixture
def signed_in_app(seeded_url):
    engine = open_database(seeded_url)
    app = create_app(engine, secure_cookies=False)
    client = TestClient(app)
    answer = client.post("/api/session", json={"username": "admin", "password": DEMO_PASSWORD})
    assert answer.status_code == 200
    try:
        yield app, client.cookies.get("icass_session"), answer.json()["csrf_token"]
    finally:
        engine.dispose()


def test_read_routes_keep_to_the_schema(signed_in_app):
    app, cookie, csrf = signed_in_app
    schema = schemathesis.openapi.from_asgi("/openapi.json", app).include(method="GET")
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=5, suppress_health_check=list(HealthCheck), deadline=None, database=None)
        def answers_as_documented(case):
            case.call_and_validate(cookies={"icass_session": cookie}, headers={"X-CSRF-Token": csrf})

        answers_as_documented()
        checked += 1
    assert checked > 40  # every resource's list and row, the workload, posts, invoices, the record


# Never a server error, and every answer as the schema documents it (status, content type, headers, body). Not
# schemathesis's "positive data acceptance": a row that keeps to the schema may still break a handbook rule, and
# a file sent for import may still not be a workbook or a zip, and then a 422 with every problem is right.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _write_routes_keep_to_the_schema(signed_in_app, method: str) -> int:
    """Schemathesis over every `method` route but signing in and out (which would end the session the run
    uses), as admin with the CSRF header, on this test's own seeded database."""
    app, cookie, csrf = signed_in_app
    schema = schemathesis.openapi.from_asgi("/openapi.json", app).include(method=method).exclude(path="/api/session")
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=10, suppress_health_check=list(HealthCheck), deadline=None, database=None)
        def answers_as_documented(case):
            if case.path_parameters and "post" in case.path_parameters:
                # A stored post: a random code would stop at its 404 and never reach the change.
                case.path_parameters.update(post="KVR", fiscal_year=2027)
            case.call_and_validate(cookies={"icass_session": cookie}, headers={"X-CSRF-Token": csrf}, checks=CHECKS)

        answers_as_documented()
        checked += 1
    return checked


def _routes(method: str) -> int:
    """How many API routes answer `method`: the run must have reached each of them."""
    return sum(method in route.methods for router in ROUTERS for route in router.routes)


def test_post_routes_keep_to_the_schema(signed_in_app):
    # every resource's new row, a count, an approval, an import, the world recomputed
    assert _write_routes_keep_to_the_schema(signed_in_app, "POST") == _routes("POST") - 1  # not signing in


def test_put_routes_keep_to_the_schema(signed_in_app):
    assert _write_routes_keep_to_the_schema(signed_in_app, "PUT") == _routes("PUT")


def test_patch_routes_keep_to_the_schema(signed_in_app):
    assert _write_routes_keep_to_the_schema(signed_in_app, "PATCH") == _routes("PATCH")


def test_delete_routes_keep_to_the_schema(signed_in_app):
    assert _write_routes_keep_to_the_schema(signed_in_app, "DELETE") == _routes("DELETE") - 1  # not signing out
