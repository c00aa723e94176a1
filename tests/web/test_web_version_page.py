"""A version's page (issue 20 §1): what it is, each step with its person, time, capacity and comment (refusals
said), whom it waits for, its invoices linked to the version's invoice pages and files, and the link to it from
the post's versions table; read by the post's readers only, a version not there 404, every text escaped."""

from __future__ import annotations

import re
from decimal import Decimal

from icass.model.approval import Kind
from icass.store.accounts import Account, Grant
from icass.store.changes import find_post
from icass.store.versions import create, seated, take_step
from tests.versions import recommended
from tests.web.test_web import AGENCY, FY, KVR, app, signed_in  # noqa: F401 (app is a fixture)

POST = f"/posts/{KVR}/{FY}"
API = f"/api/posts/{KVR}/{FY}"
HOSTILE = '<script>alert("x")</script>'


def _fmo() -> Account:
    return Account(0, "fmo", (Grant("fmo", post=KVR),))


def test_the_page_says_what_the_version_is_and_its_steps(app):  # noqa: F811
    engine = app.state.engine
    number = recommended(engine, KVR, FY)
    admin, _ = signed_in(app, "admin")
    api = admin.get(f"{API}/versions/{number}").json()
    html = admin.get(f"{POST}/versions/{number}").text
    assert f"Version {number} of the budget" in html
    assert 'id="version-kind">initial budget, first version of its kind<' in html
    assert 'data-state="recommended">recommended by the Budget Committee<' in html
    assert f'id="version-sha256">{api["sha256"]}<' in html
    assert "the post&#39;s FMO or the ISC, to record the Council&#39;s approval" in html
    steps = re.findall(r'<tr data-step="(\w+)"', html)
    assert steps == [s["step"] for s in api["steps"]]
    assert steps[0] == "submit_to_committee"
    assert "Budget Committee member for " + AGENCY in html
    assert "the post&#39;s FMO" in html.split('data-step="submit_to_committee"')[1].split("</tr>")[0]
    for agency in {s["agency"] for s in api["steps"] if s["agency"]}:
        assert f"Budget Committee member for {agency}" in html


def test_refusals_comments_and_whom_it_waits_for(app):  # noqa: F811
    engine = app.state.engine
    fmo = _fmo()
    with engine.begin() as connection:
        key = find_post(connection, KVR, FY)
        number = create(connection, key, "fmo", Kind.FINAL, HOSTILE).number
        take_step(connection, key, number, fmo, "submit_to_committee", "for review")
        agencies = seated(connection, KVR)
        first = Account(0, "member", (Grant("committee", post=KVR, agency=agencies[0]),))
        take_step(connection, key, number, first, "recommend", HOSTILE, refused=True)
        take_step(connection, key, number, fmo, "submit_to_committee", "again")
    reader, _ = signed_in(app, "committee")
    html = reader.get(f"{POST}/versions/{number}").text
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    refused = html.split('data-refused="true"')[1].split("</tr>")[0]
    assert ">Recommendation refused<" in refused
    assert f"Budget Committee member for {agencies[0]}" in refused
    assert ">draft<" in refused  # the refusal sent it back to draft
    waits = html.split('id="version-waits">')[1].split("</dd>")[0]
    assert waits == "the Budget Committee members for " + ", ".join(agencies) + ", to recommend it"
    assert 'id="version-kind">final budget' in html


def test_its_invoices_are_the_versions_and_linked(app):  # noqa: F811
    number = recommended(app.state.engine, KVR, FY)
    fmo, _ = signed_in(app, "fmo")
    html = fmo.get(f"{POST}/versions/{number}").text
    listed = re.findall(r'<tr data-agency="([^"]+)">', html)
    assert AGENCY in listed
    row = html.split(f'<tr data-agency="{AGENCY}">')[1].split("</tr>")[0]
    bill = fmo.get(f"{API}/versions/{number}/invoices/{AGENCY}").json()
    assert f"{Decimal(bill['total']):,.2f}" in row
    assert f'href="{POST}/versions/{number}/invoices/{AGENCY}"' in row
    assert f'href="{API}/versions/{number}/invoices/{AGENCY}?format=pdf"' in row
    page = fmo.get(f"{POST}/versions/{number}/invoices/{AGENCY}")
    assert page.status_code == 200
    assert f'id="version-sha256">{bill["sha256"]}<' in page.text
    assert f'href="{POST}/versions/{number}">Version {number}</a>' in page.text
    assert f'id="invoice-total">{Decimal(bill["total"]):,.2f}<' in page.text
    workbook = fmo.get(f"{API}/versions/{number}/invoices/{AGENCY}?format=xlsx")
    assert workbook.status_code == 200
    # The post's versions table links each version to its page.
    home = fmo.get(POST).text
    link = f'<a class="usa-link" href="{POST}/versions/{number}">{number}</a>'
    assert f'<th scope="row" data-label="Version">{link}</th>' in home


def test_who_reads_it_and_a_version_not_there(app):  # noqa: F811
    number = recommended(app.state.engine, KVR, FY)
    for role in ("admin", "fmo", "committee"):
        reader, _ = signed_in(app, role)
        assert reader.get(f"{POST}/versions/{number}").status_code == 200, role
        assert reader.get(f"{POST}/versions/{number + 1}").status_code == 404, role
        assert reader.get(f"{POST}/versions/{number}/invoices/9999.0").status_code == 404, role
    hq, _ = signed_in(app, "hq")
    assert hq.get(f"{POST}/versions/{number}").status_code == 404  # not a post it reads, as on the API
    # An hq reads its own agency's invoice of the version, not another's.
    assert hq.get(f"{POST}/versions/{number}/invoices/{AGENCY}").status_code == 200
    assert hq.get(f"{POST}/versions/{number}/invoices/1900.0").status_code == 404


def test_the_councils_date_is_written_as_the_years_other_dates(app):  # noqa: F811
    """The Council's date read "2026-11-20" where the data call, the inbox and the staffing page write "1 Jun
    2026"."""
    number = recommended(app.state.engine, KVR, FY)
    with app.state.engine.begin() as connection:
        fmo_account = Account(0, "fmo", (Grant("fmo", post=KVR),))
        key = find_post(connection, KVR, FY)
        take_step(connection, key, number, fmo_account, "record_council_approval", "", council=("2026-11-20", "item 3"))
    fmo, _ = signed_in(app, "fmo")
    council = fmo.get(f"{POST}/versions/{number}").text.split('id="version-council"')[1].split("</dd>")[0]
    assert 'approved on <time datetime="2026-11-20">20 Nov 2026</time>' in council
    assert "(minutes: item 3)" in council
