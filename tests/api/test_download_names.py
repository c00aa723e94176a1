"""Download names (issue 16 §3): an agency `A";filename*=UTF-8''x.html;a="` once made Chromium save the invoice
as x.html. Every Content-Disposition is built by icass.api.downloads.attachment: a plain ASCII `filename` and the
exact name in `filename*`. tests/web/test_browser.py shows Chromium reading it."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from icass.api.downloads import attachment
from tests.conftest import DEMO_PASSWORD
from tests.web.test_web import app  # noqa: F401 (the fixture)

KVR, FY, AGENCY = "KVR", 2027, "1931.0"
HOSTILE_AGENCY = "A\";filename*=UTF-8''x.html;a=\""


def _parameters(header: str) -> tuple[str, str, list[str]]:
    """(the plain `filename`, the name `filename*` gives, the parameters' names), read as RFC 6266 reads them:
    a quoted string is one value whatever it holds."""
    found = re.findall(r"""; *([!#$%&'*+.^_`|~0-9A-Za-z-]+)=("(?:[^"\\]|\\.)*"|[^;]*)""", header)
    values = dict(found)
    assert values["filename"].startswith('"')
    assert values["filename"].endswith('"')
    charset, _, encoded = values["filename*"].partition("''")
    assert charset == "UTF-8"
    return values["filename"][1:-1], unquote(encoded, errors="strict"), [name for name, _ in found]


def test_a_hostile_code_cannot_rename_a_download():
    name = f"{KVR}-{FY}-{HOSTILE_AGENCY}.pdf"
    header = attachment(name)
    plain, chosen, parameters = _parameters(header)
    assert parameters == ["filename", "filename*"]  # no parameter smuggled in
    assert header.count(";") == 2
    assert re.fullmatch(r"[A-Za-z0-9._-]+", plain)
    assert plain.endswith(".pdf")
    assert plain.startswith(f"{KVR}-{FY}-A_")
    assert chosen == name  # filename* carries the exact name, which a browser then makes safe for its disk
    # What Chromium read as a second filename* is now percent-encoded inside the one filename*.
    assert "filename*=UTF-8''x.html" not in header


@pytest.mark.parametrize(
    ("name", "plain"),
    [
        ("KVR-2027-1931.0.pdf", "KVR-2027-1931.0.pdf"),
        ("Côte d'Ivoire 2027.xlsx", "C_te_d_Ivoire_2027.xlsx"),
        ("../../etc/passwd", "_.._etc_passwd"),
        ("...", "download"),
        ("a\r\nSet-Cookie: x=1", "a__Set-Cookie__x_1"),
    ],
)
def test_every_download_name_has_a_plain_ascii_fallback(name, plain):
    header = attachment(name)
    assert header.isascii()
    assert "\r" not in header
    assert "\n" not in header
    assert _parameters(header)[:2] == (plain, name)


def test_the_invoice_files_are_named_by_that_function(app):  # noqa: F811 (the fixture)
    hq = TestClient(app)
    assert hq.post("/api/session", json={"username": "hq", "password": DEMO_PASSWORD}).status_code == 200
    for kind in ("pdf", "xlsx"):
        answer = hq.get(f"/api/posts/{KVR}/{FY}/invoices/{AGENCY}", params={"format": kind})
        assert answer.status_code == 200
        assert answer.headers["content-disposition"] == attachment(f"{KVR}-{FY}-{AGENCY}.{kind}")
