"""Schemathesis against the API's own OpenAPI schema (issue 8 §3): every read route, signed in as the
ICASS Service Center, answers as its schema says and never with a server error."""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

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
