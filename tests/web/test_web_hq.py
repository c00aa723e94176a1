"""Issue 18, for headquarters and the ISC: hq's home is its worldwide invoice (names, totals, bureau subtotals,
each post line a link to the post's invoice, below-the-line items in words, PDF and Excel); every invoice page
says whether its figures are live or an approved version's, and "final" only on the latter; an invoice line's
derivation gives the cost center's dollars; the ISC's world page; the Record's filters and changed cells; the
Imports page's jobs in words of files and rows; the PDF and workbook of an invoice."""

from __future__ import annotations

import io
import re
from collections import defaultdict
from decimal import Decimal

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from icass.money import format_grouped, parse_cents
from icass.store import jobs
from icass.store.jobs import Outcome
from tests.api.test_invoice_files import pdf_text
from tests.conftest import DEMO_PASSWORD
from tests.versions import recommended
from tests.web.test_web import AGENCY, FY, KVR, app, signed_in  # noqa: F401 (fixture)

WORLD_INVOICE = f"/api/world/{FY}/invoices/{AGENCY}"
INVOICE_PAGE = f"/posts/{KVR}/{FY}/invoices/{AGENCY}"


def _api(app, username: str) -> TestClient:  # noqa: F811 (the fixture's name)
    client = TestClient(app)
    answer = client.post("/api/session", json={"username": username, "password": DEMO_PASSWORD})
    assert answer.status_code == 200, answer.text
    return client


def _main(html: str) -> str:
    """The page's own content, without the header and footer every page shares."""
    return html[html.index('<main id="main"') : html.index("</main>")]


def _words(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_hq_opens_on_its_worldwide_invoice(app):  # noqa: F811
    hq, _ = signed_in(app, "hq")
    home = hq.get("/")
    assert home.status_code == 200
    bill = _api(app, "hq").get(WORLD_INVOICE).json()
    main = _main(home.text)
    assert f"Headquarters invoice of {AGENCY}" in main
    assert bill["agency_name"] == "State - Marine Security Guard Support"
    assert bill["agency_name"] in main
    assert f'id="world-total">{format_grouped(parse_cents(bill["total"]))}<' in main
    # Every post line links to the agency's invoice at that post, with its funding sources in their own columns.
    for line in bill["posts"]:
        link = f'href="/posts/{line["post"]}/{FY}/invoices/{AGENCY}"'
        assert link in main, line["post"]
        row = re.search(rf"<tr class=\"post-line\"><th scope=\"row\"><a[^>]*{re.escape(link)}.*?</tr>", main, re.S)
        assert row is not None
        cells = re.findall(r'<td class="text-right">([^<]*)</td>', row.group(0))
        assert ";" not in row.group(0)
        assert format_grouped(parse_cents(line["total"])) == cells[-1]
        assert {format_grouped(parse_cents(a)) for a in line["amounts"].values()} <= set(cells)
    # Each bureau's subtotal, as the API adds it up.
    by_bureau: dict[str, Decimal] = defaultdict(Decimal)
    for line in bill["posts"]:
        by_bureau[line["region"]] += Decimal(line["total"])
    for region, total in by_bureau.items():
        assert Decimal(bill["bureau_totals"][region]) == total
        body = main[main.index(f'id="bureau-{region}"') :]
        subtotal = re.search(r'class="text-right text-bold bureau-total">([^<]+)<', body)
        assert subtotal is not None
        assert subtotal.group(1) == format_grouped(parse_cents(str(total)))
        assert f"{region} bureau subtotal" in body
    # Below the line: each item named in words with its section and basis, never its code.
    items = main[main.index('id="items"') :]
    for item in bill["items"]:
        assert item["name"] in items
        assert item["section"] in items
        for basis in item["bases"]:
            assert basis in items
    for code in ("AMSAL_ADJ", "CF_REPLENISHMENT", "PAT_ADJ", "DPM_SALARY", "ISC_NONSALARY"):
        assert code not in _words(main), code
    assert "Contingency fund replenishment" in items
    # The headquarters invoice as files, and the agency's invoices at every post.
    assert f'href="{WORLD_INVOICE}?format=pdf"' in main
    assert f'href="{WORLD_INVOICE}?format=xlsx"' in main
    assert f'href="/posts/{KVR}/2026/invoices/{AGENCY}"' in main  # a post outside the world's year too


def test_the_other_roles_keep_their_home(app):  # noqa: F811
    for person in ("admin", "fmo", "committee"):
        client, _ = signed_in(app, person)
        assert "Headquarters invoice of" not in client.get("/").text, person
        assert "<h1>Posts</h1>" in client.get("/").text


def test_the_headquarters_invoice_as_pdf_and_excel(app):  # noqa: F811
    hq = _api(app, "hq")
    bill = hq.get(WORLD_INVOICE).json()
    pdf = hq.get(WORLD_INVOICE, params={"format": "pdf"})
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert f'filename="world-{FY}-{AGENCY}.pdf"' in pdf.headers["content-disposition"]
    text = pdf_text(pdf.content)
    assert bill["agency_name"] in text
    # Its figures are always live, said on every page; "final" is never printed (issue 18).
    assert text.count("Figures: live") == len(re.findall(r"Page \d+ of \d+", text))
    assert "final" not in text.lower()
    assert "U.S. Embassy Kivara" in text
    assert "Contingency fund replenishment" in text
    assert "CF_REPLENISHMENT" not in text
    lines = text.splitlines()
    total = format_grouped(parse_cents(bill["total"]))
    at = [i for i, line in enumerate(lines) if total in line]
    assert len(at) == 1  # the grand total once, at the end
    assert "Total of the invoice" in lines[at[0]]
    assert all(not line.strip().startswith("Page ") or "of" in line for line in lines[at[0] :])
    workbook = hq.get(WORLD_INVOICE, params={"format": "xlsx"})
    assert workbook.status_code == 200
    book = load_workbook(io.BytesIO(workbook.content))
    sheet = book["Headquarters invoice"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header_at = next(i for i, r in enumerate(rows) if r[0] == "Bureau")
    header = rows[header_at]
    posts = {r[1]: r for r in rows[header_at + 1 :] if r[1]}
    for line in bill["posts"]:
        got = posts[line["post"]]
        assert Decimal(repr(got[header.index("Total")])).quantize(Decimal("0.01")) == Decimal(line["total"])
    assert sheet.cell(header_at + 2, header.index("Total") + 1).number_format == "#,##0.00"
    assert all(sheet.column_dimensions[c].width for c in "ABCDEFGHI")
    heading = {r[0]: r[1] for r in rows[:header_at] if r and r[0]}
    assert heading["Figures"].startswith("live:")
    assert not any("final" in str(value).lower() for value in heading.values())
    items = book["Below the line"]
    assert "Contingency fund replenishment" in [c.value for c in items["A"]]
    assert hq.get(f"/api/world/{FY}/invoices/1900.0", params={"format": "pdf"}).status_code == 403
    assert hq.get(WORLD_INVOICE, params={"format": "docx"}).status_code == 422


def test_an_invoice_page_says_live_or_approved_and_final_only_when_approved(app):  # noqa: F811
    fmo, csrf = signed_in(app, "fmo")
    live = _main(fmo.get(INVOICE_PAGE).text)
    assert 'data-state="live"' in live
    assert "still change" in live
    assert "No version of the budget has been approved yet" in live
    assert "final" not in _words(live).lower()
    recommended(app.state.engine, KVR, FY)
    fmo.post(f"/posts/{KVR}/{FY}/versions", data={"note": "Council"}, headers={"X-CSRF-Token": csrf})
    hq, _ = signed_in(app, "hq")
    approved_link = f'href="{INVOICE_PAGE}?version=1"'
    assert approved_link in hq.get(INVOICE_PAGE).text  # hq reads the approved invoice of its agency too
    page = fmo.get(f"/posts/{KVR}/{FY}/workload?cost_center=6150")
    found = re.search(rf'hx-patch="(/posts/{KVR}/{FY}/workload/6150:{AGENCY}[^"]*)"', page.text)
    assert found is not None
    fmo.patch(found.group(1), data={"count": "500", "version": "0"}, headers={"X-CSRF-Token": csrf})
    now = _main(hq.get(INVOICE_PAGE).text)
    assert "has changed since" in now
    assert "final" not in _words(now).lower()
    then = _main(hq.get(INVOICE_PAGE, params={"version": 1}).text)
    assert 'data-state="approved"' in then
    sha256 = _api(app, "fmo").get(f"/api/posts/{KVR}/{FY}/versions/1").json()["sha256"]
    assert f'<code class="icass-hash" id="version-sha256">{sha256}</code>' in then  # the version and its hash
    total = re.compile(r'id="invoice-total">([^<]+)<')
    then_total, now_total = total.search(then), total.search(now)
    assert then_total is not None
    assert now_total is not None
    assert then_total.group(1) != now_total.group(1)  # the approved figures stay as they were
    assert hq.get(INVOICE_PAGE, params={"version": 2}).status_code == 404
    # The approved version's files, as its page links them: its figures, said to be the approved version's.
    files = f"/api/posts/{KVR}/{FY}/invoices/{AGENCY}"
    assert f'href="{files}?format=pdf&amp;version=1"' in then
    api = _api(app, "hq")
    pdf = api.get(files, params={"format": "pdf", "version": 1})
    assert 'filename="KVR-2027-1931.0-version-1.pdf"' in pdf.headers["content-disposition"]
    text = pdf_text(pdf.content)
    assert "version 1 (initial, revision 0, council approved), SHA-256" in text
    assert sha256 in "".join(text.split())
    # "final" only here, beside an approved version's figures; every page says whose they are.
    assert "final budget: payable" in text
    assert text.count("Figures: version 1 (initial") == len(re.findall(r"Page \d+ of \d+", text))
    sheet = load_workbook(io.BytesIO(api.get(files, params={"format": "xlsx", "version": 1}).content)).active
    heading = {row[0].value: row[1].value for row in sheet.iter_rows(max_row=8) if row[0].value}
    assert heading["Budget stage"] == "final budget: payable"
    assert str(heading["Figures"]).startswith("version 1 (initial, revision 0, council approved), SHA-256 " + sha256)
    assert then_total.group(1) in text
    assert now_total.group(1) not in text
    assert "live: they still change" in pdf_text(api.get(files, params={"format": "pdf"}).content)
    assert api.get(files, params={"version": 7}).status_code == 404
    world = _main(hq.get("/").text)
    assert 'data-state="live"' in world
    assert "final" not in _words(world).lower()


def test_a_lines_derivation_gives_the_cost_centers_dollars(app):  # noqa: F811
    fmo = _api(app, "fmo")
    lines = fmo.get(f"/api/posts/{KVR}/{FY}/distribution").json()["lines"]
    cost: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for line in lines:
        cost[(line["cost_center"], line["funding"])] += Decimal(line["share"])
    bill = fmo.get(f"/api/posts/{KVR}/{FY}/invoices/{AGENCY}").json()
    client, _ = signed_in(app, "fmo")
    html = client.get(INVOICE_PAGE).text
    checked = 0
    for line in bill["lines"]:
        start = html.index(f'id="line-{line["cost_center"]}"')
        derivation = html[start : html.index("</details>", start)]
        table = derivation[derivation.index("icass-dollars") :]
        for funding, amount in line["amounts"].items():
            row = re.search(rf'<tr><th scope="row">{funding}</th>(.*?)</tr>', table, re.S)
            assert row is not None, (line["cost_center"], funding)
            shown = [Decimal(x.replace(",", "")) for x in re.findall(r">([-0-9,.]+)<", row.group(1))]
            whole, share, redistribution, pays = shown
            assert whole == cost[(line["cost_center"], funding)]  # every agency's share: the cost center's cost
            assert share + redistribution == pays == Decimal(amount)
            checked += 1
    assert checked > 20


def test_the_isc_world_page_lists_agencies_and_posts_by_bureau(app):  # noqa: F811
    admin, csrf = signed_in(app, "admin")
    recommended(app.state.engine, KVR, FY)
    admin.post(f"/posts/{KVR}/{FY}/versions", data={"note": "Council"}, headers={"X-CSRF-Token": csrf})
    page = _main(admin.get(f"/world/{FY}").text)
    assert "1931.0 State - Marine Security Guard Support</a>" in page
    bureaus = _api(app, "admin").get(f"/api/world/{FY}/posts").json()
    assert {b["region"] for b in bureaus} >= {"AF", "WHA"}
    for bureau in bureaus:
        assert Decimal(bureau["total"]) == sum(Decimal(p["total"]) for p in bureau["posts"])
        body = page[page.index(f'id="region-{bureau["region"]}"') :]
        assert f"{bureau['region']} bureau subtotal" in body
        assert format_grouped(parse_cents(bureau["total"])) in body
    kivara = next(p for b in bureaus for p in b["posts"] if p["post"] == KVR)
    assert kivara["approved_version"] == 1
    assert kivara["changed_since_approved"] is False
    assert "not approved yet" in page
    assert "approved</span> version 1" in page
    assert _api(app, "hq").get(f"/api/world/{FY}/posts").status_code == 403
    hq, _ = signed_in(app, "hq")
    assert 'id="world-posts"' not in hq.get(f"/world/{FY}").text


def test_the_record_filters_and_shows_the_cells_that_changed(app):  # noqa: F811
    fmo, _ = signed_in(app, "fmo")
    api = _api(app, "fmo")
    row = api.get(f"/api/posts/{KVR}/{FY}/budget-lines").json()[0]
    token = api.get("/api/session").json()["csrf_token"]
    changed = api.put(
        f"/api/posts/{KVR}/{FY}/budget-lines/{row['id']}",
        json={"amount": "12345.00", "version": row["version"]},
        headers={"X-CSRF-Token": token},
    )
    assert changed.status_code == 200, changed.text
    record = _main(fmo.get("/audit", params={"action": "update"}).text)
    entry = re.search(r'<tr id="entry-\d+">.*?</tr>', record, re.S)
    assert entry is not None
    assert f"budget.csv {row['id']}" in entry.group(0)
    assert f"<del>{row['amount']}</del> &rarr; <ins>12345.00</ins>" in entry.group(0)
    assert "Amount" in entry.group(0)  # the column's label
    assert "{" not in _words(record)  # no stored JSON
    assert "sign in" not in _words(record)  # only the kind chosen
    assert re.search(r"<time class=\"local-time\" datetime=\"[^\"]+\">\d+ \w{3} \d{4}, \d\d:\d\d UTC</time>", record)
    today = fmo.get("/audit", params={"user": "fmo", "since": "2000-01-01", "until": "2000-01-31"})
    assert "No entry fits what you chose." in today.text
    blank = fmo.get("/audit", params={"user": "", "action": "", "post": "", "since": "", "until": ""})
    assert blank.status_code == 200
    assert 'id="filter-user"' in blank.text
    assert fmo.get("/audit", params={"post": "PSL"}).status_code == 200
    assert "PSL" not in _words(_main(fmo.get("/audit", params={"post": "PSL"}).text)).split("Entries")[1]
    filtered = api.get("/api/audit", params={"user": "fmo", "action": "update"}).json()
    assert [e["action"] for e in filtered] == ["update"]


def test_a_failed_import_names_its_file_and_stops_its_bar(app):  # noqa: F811
    admin, csrf = signed_in(app, "admin")
    bad = io.BytesIO(b"not a workbook")
    sent = admin.post(
        "/imports",
        files={"file": ("kivara-budget.xlsx", bad, "application/octet-stream")},
        headers={"X-CSRF-Token": csrf},
    )
    assert sent.status_code == 200
    job_id = int(re.search(r'id="job-(\d+)"', sent.text).group(1))  # type: ignore[union-attr]
    engine = app.state.engine
    ended = jobs.wait(engine, job_id, timeout=60)
    assert ended.state == "failed"
    row = admin.get(f"/jobs/{job_id}/row").text
    assert "Import of <strong>kivara-budget.xlsx</strong>" in row
    bar = re.search(r'<progress max="100" value="(\d+)"', row)
    assert bar is not None
    assert int(bar.group(1)) < 100
    assert "stopped at step" in row


def test_a_stored_post_imported_again_is_told_to_tick_replace(app):  # noqa: F811
    from icass.store.demo import samples_folder
    from tests.api.test_jobs import _zip

    admin, csrf = signed_in(app, "admin")
    sent = admin.post(
        "/imports",
        files={"file": ("kivara.zip", io.BytesIO(_zip(samples_folder() / "standard-post")), "application/zip")},
        headers={"X-CSRF-Token": csrf},
    )
    job_id = int(re.search(r'id="job-(\d+)"', sent.text).group(1))  # type: ignore[union-attr]
    assert jobs.wait(app.state.engine, job_id, timeout=60).state == "failed"
    row = admin.get(f"/jobs/{job_id}/row").text
    assert "--replace" not in row
    assert "Replace the posts and world it holds" in row


def test_a_job_that_broke_keeps_its_bar_where_it_stopped(app):  # noqa: F811
    def work(progress) -> Outcome:
        progress(1, 4, "reading budget.csv")
        return Outcome(False, "nothing stored: 1 error(s)", {"problems": []})

    engine = app.state.engine
    ended = jobs.wait(engine, jobs.start(engine, "test", "admin", work).id, timeout=60)
    assert ended.state == "failed"
    assert ended.percent < 100
    done = jobs.wait(engine, jobs.start(engine, "test", "admin", lambda p: Outcome(True, "stored")).id, timeout=60)
    assert done.percent == 100


def test_the_invoice_pdf_names_cost_centers_and_totals_once(app):  # noqa: F811
    hq = _api(app, "hq")
    bill = hq.get(f"/api/posts/{KVR}/{FY}/invoices/{AGENCY}").json()
    text = pdf_text(hq.get(f"/api/posts/{KVR}/{FY}/invoices/{AGENCY}", params={"format": "pdf"}).content)
    assert "Basic Package Services" in text
    assert "Motor Pool Services" in text
    assert "docs/" not in text
    total = format_grouped(parse_cents(bill["total"]))
    lines = text.splitlines()
    with_total = [i for i, line in enumerate(lines) if line.rstrip().endswith(" " + total)]
    assert len(with_total) == 1  # once, at the end
    assert "Subtotals by funding source, total of the invoice" in lines[with_total[0]]
    subtotals = [line for line in lines if "Page subtotal" in line]
    assert len(subtotals) == len(re.findall(r"Page \d+ of \d+", text)) > 1
    assert all("not the invoice total" in line for line in subtotals)
    pages = sum(Decimal(line.split()[-1].replace(",", "")) for line in subtotals)
    assert pages == Decimal(bill["total"])


def test_the_invoice_workbook_has_widths_number_formats_and_percent_shares(app):  # noqa: F811
    hq = _api(app, "hq")
    bill = hq.get(f"/api/posts/{KVR}/{FY}/invoices/{AGENCY}").json()
    sheet = load_workbook(io.BytesIO(hq.get(f"/api/posts/{KVR}/{FY}/invoices/{AGENCY}?format=xlsx").content)).active
    rows = list(sheet.iter_rows())
    header_at = next(i for i, r in enumerate(rows) if r[0].value == "Cost center")
    header = [c.value for c in rows[header_at]]
    assert header[1] == "Name"
    for letter in "ABCDEFGHIJKL":
        assert sheet.column_dimensions[letter].width, letter
    line = bill["lines"][0]
    cells = dict(zip(header, rows[header_at + 1], strict=True))
    assert cells["Name"].value == "Information Management Technical Support Services"
    assert cells["Share"].number_format == "0.00%"
    assert Decimal(repr(cells["Share"].value)) * 100 == Decimal(line["share_percent"])
    assert cells["Workload"].number_format == "#,##0"
    assert cells["Total"].number_format == "#,##0.00"


def test_hqs_home_switches_to_the_basis_chosen(app):  # noqa: F811
    """The switch on hq's home links "?basis=final" to the home page itself, which kept showing the live figures
    whatever was chosen."""
    from icass.model.approval import Kind

    recommended(app.state.engine, KVR, FY)
    recommended(app.state.engine, KVR, FY, Kind.FINAL)
    hq, _ = signed_in(app, "hq")
    early = hq.get("/?basis=final")
    assert early.status_code == 404  # no final version is accepted early in the year: said so, and why
    assert "no final invoice of 2027 yet" in early.text
    assert "these posts have no accepted final version yet: " in early.text
    assert "live figures are always there" in early.text
    from tests.versions import accept_the_final

    accept_the_final(app.state.engine.url.render_as_string(hide_password=False))
    for basis in ("initial", "final"):
        shown = hq.get(f"/?basis={basis}")
        assert shown.status_code == 200
        assert f'id="figures-state" data-state="{basis}"' in shown.text, basis
        assert f'href="?basis={basis}" aria-current="page"' in shown.text
    assert 'id="figures-state" data-state="live"' in hq.get("/").text  # live by default
    assert hq.get("/?basis=payable").status_code == 422
