"""The workload page (issue 18, "for the FMO"): counts grouped by cost center with names and subtotals, the
derived count beside a typed one and an action to go back to it, the records behind each count a link away,
and every error of a change shown in its row (an empty count once came back as a 422 htmx never showed)."""

from __future__ import annotations

import re
from decimal import Decimal

from fastapi.testclient import TestClient

from tests.web.test_web import AGENCY, FY, KVR, _total, app, signed_in  # noqa: F401 (fixture)

PAGE = f"/posts/{KVR}/{FY}/workload"
LINES = f"{PAGE}/lines?cost_center=6150&agency={AGENCY}"  # the lines of 6150 as its opened section asks them


def _line(html: str) -> tuple[str, str]:
    """The address of the uniformed count of 1931.0 in 6150 and its row's id."""
    found = re.search(
        rf'<tr id="(line-6150-1931_0-UNIFORMED)">.*?hx-patch="({PAGE}/6150:{AGENCY}:UNIFORMED)"', html, re.S
    )
    assert found is not None
    return found.group(2), found.group(1)


def test_counts_are_grouped_by_cost_center_with_names_and_subtotals(app):  # noqa: F811
    client, _ = signed_in(app, "committee")
    html = client.get(PAGE).text
    assert re.search(r'aria-controls="cost-center-6150">\s*6150 Basic Package Services <span', html)
    assert 'id="subtotals-6150"' not in html  # the lines come when the section is opened
    html = client.get(f"{PAGE}/lines?cost_center=6150").text
    group = html[: html.index('id="subtotals-6150"')]
    counts = [Decimal(c) for c in re.findall(r'</th>\s*<td class="text-right">\s*([0-9.]+)\s*<', group)]
    assert counts  # a committee member reads the counts, no input
    subtotals = html[html.index('id="subtotals-6150"') : html.index("</tfoot>", html.index('id="subtotals-6150"'))]
    shown = [Decimal(s) for s in re.findall(r"Subtotal, [A-Z_]+</th><td class=\"text-right\">([0-9.]+)<", subtotals)]
    assert sum(shown) == sum(counts)  # one subtotal a factor, adding up the group's counts
    assert re.search(r"1931.0 <span class=\"text-normal\">[A-Z][a-z]", group)  # the agency's name beside its code
    heading = client.get(PAGE).text
    assert '<h2 class="usa-accordion__heading">' in heading  # each cost center a section that opens on request
    summary = re.search(r'id="summary-6150">([^<]+)<', heading)
    assert summary is not None
    in_heading = [Decimal(s) for s in re.findall(r"[A-Z_]+ ([0-9.]+)", summary.group(1).split("subtotals")[1])]
    assert in_heading == shown  # each factor's subtotal in the section's heading as well


def test_the_derived_count_stands_beside_a_typed_one_and_can_be_used_again(app):  # noqa: F811
    client, csrf = signed_in(app, "fmo")
    headers = {"X-CSRF-Token": csrf, "HX-Request": "true"}
    before = _total(client.get(f"/posts/{KVR}/{FY}/invoices/{AGENCY}").text, "invoice-total")
    url, _ = _line(client.get(LINES).text)
    typed = client.patch(url, data={"count": "500", "version": "0"}, headers=headers)
    assert 'role="status">saved<' in typed.text
    derived = re.search(r'<td class="text-right">\s*([0-9]+)\s*<br><button[^>]*hx-delete="([^"]+)"', typed.text)
    assert derived is not None, typed.text
    assert derived.group(1) == "9"  # what the records derive, beside the 500 typed
    assert "Use the derived count" in typed.text
    assert 'id="subtotals-6150" hx-swap-oob="true"' in typed.text  # the group's subtotals follow the count
    assert 'id="summary-6150" hx-swap-oob="true"' in typed.text  # and so does its heading
    assert _total(client.get(f"/posts/{KVR}/{FY}/invoices/{AGENCY}").text, "invoice-total") > before
    back = client.delete(derived.group(2), headers=headers)
    assert back.status_code == 200
    assert "now the count the records derive" in back.text
    assert 'name="count" value="9"' in back.text
    assert "Use the derived count" not in back.text
    assert _total(client.get(f"/posts/{KVR}/{FY}/invoices/{AGENCY}").text, "invoice-total") == before
    stale = client.delete(derived.group(2), headers=headers)  # the typed count is gone already
    assert 'role="alert"' in stale.text


def test_an_error_in_a_count_is_shown_in_its_row(app):  # noqa: F811
    client, csrf = signed_in(app, "fmo")
    headers = {"X-CSRF-Token": csrf, "HX-Request": "true"}
    url, row_id = _line(client.get(LINES).text)
    for typed, said in (
        ("", "Enter a count: a number, 0 or more."),  # a count cleared and Enter pressed
        ("many", "many"),
        ("-3", "-3"),
    ):
        answer = client.patch(url, data={"count": typed, "version": "0"}, headers=headers)
        assert answer.status_code == 200, (typed, answer.text)  # htmx swaps only a 2xx answer
        assert f'<tr id="{row_id}">' in answer.text
        message = re.search(r'<span class="usa-error-message" role="alert">([^<]+)<', answer.text)
        assert message is not None, answer.text
        assert said in message.group(1)
        assert f'value="{typed}"' in answer.text  # what was typed stays, to correct
        assert 'aria-invalid="true"' in answer.text
    no_version = client.patch(url, data={"count": "3"}, headers=headers)
    assert "changed by someone else" in no_version.text


def test_the_records_behind_a_count_are_one_link_away(app):  # noqa: F811
    client, _ = signed_in(app, "fmo")
    html = client.get(f"{PAGE}?cost_center=6150&agency={AGENCY}").text  # the link of a section, without a script
    link = re.search(rf'href="({PAGE}/records\?line=6150%3A1931.0%3AUNIFORMED)"', html)
    assert link is not None
    records = client.get(link.group(1).replace("&amp;", "&"))
    assert records.status_code == 200
    assert "6150 Basic Package Services, UNIFORMED" in records.text
    counted = records.text[records.text.index('id="records-counted"') :]
    assert counted.count("person 1931-B") == 9  # the nine records behind the derived count of 9
    assert f'href="/posts/{KVR}/{FY}/tables/people"' in counted
    assert "6 FAH-5 H-341.1-4 a" in counted
    back = f'href="{PAGE}?cost_center=6150&amp;agency={AGENCY}#line-6150-1931_0-UNIFORMED">Back to the workload<'
    assert back in records.text  # to the page that shows the line (a cost center's lines come on request)
    absent = client.get(f"{PAGE}/records?line=6150:9999.0")
    assert absent.status_code == 404


def test_a_cost_centers_lines_come_only_when_it_is_opened_25_a_page(app):  # noqa: F811
    """Issue 18: the page once held every line of every cost center (2.5 MiB on a post of 3,000 positions). It
    holds the headings; a section's lines come when it is opened (htmx), or on the page with that cost
    center alone (a link, no script), 25 at a time."""
    client, _ = signed_in(app, "fmo")
    html = client.get(PAGE).text
    headings = re.findall(r'aria-controls="cost-center-([^"]+)"', html)
    assert len(headings) > 40
    assert '<tr id="line-' not in html  # not one line in the page
    fetched = re.findall(rf'id="open-([^"]+)" hx-get="{PAGE}/lines\?cost_center=\1" hx-trigger="click once"', html)
    assert fetched == headings  # each section asks for its lines when its button first opens it
    assert re.findall(rf'href="{PAGE}\?cost_center=([^"&]+)">Show the counts of', html) == headings
    first = client.get(f"{PAGE}/lines?cost_center=5624")  # 27 lines
    assert first.status_code == 200
    assert first.text.count('<tr id="line-') == 25
    assert "Counts 1&ndash;25 of 27." in first.text
    assert "<html" not in first.text  # a fragment
    more = re.search(
        r'href="([^"]+)" hx-get="([^"]+)" class="usa-pagination__link usa-pagination__next-page"', first.text
    )
    assert more is not None
    assert more.group(1) == f"{PAGE}?cost_center=5624&amp;page=2#cost-center-5624"  # a page without a script
    assert more.group(2) == f"{PAGE}/lines?cost_center=5624&amp;page=2"  # htmx, in the section
    second = client.get(more.group(2).replace("&amp;", "&")).text
    assert second.count('<tr id="line-') == 2
    assert "Counts 26&ndash;27 of 27." in second
    assert client.get(f"{PAGE}/lines?cost_center=5624&page=99").text.count('<tr id="line-') == 2  # the last
    alone = client.get(more.group(1).replace("&amp;", "&")).text
    assert re.findall(r'aria-controls="cost-center-([^"]+)"', alone) == ["5624"]
    assert re.search(r'aria-expanded="true" aria-controls="cost-center-5624"', alone)  # open, its lines in it
    assert alone.count('<tr id="line-') == 2
    assert 'id="subtotals-5624"' in alone
    assert "hx-patch" in alone  # the FMO types counts there too


def test_the_workload_is_found_by_cost_center_and_agency(app):  # noqa: F811
    client, _ = signed_in(app, "committee")
    every = re.findall(r'aria-controls="cost-center-([^"]+)"', client.get(PAGE).text)
    html = client.get(PAGE, params={"agency": "1100.0"}).text
    kept = re.findall(r'aria-controls="cost-center-([^"]+)"', html)
    assert 0 < len(kept) < len(every)  # those counting the agency
    assert f"{len(kept)} cost centers counting agency 1100.0 Peace Corps." in html
    assert f'hx-get="{PAGE}/lines?agency=1100.0&amp;cost_center={kept[0]}" hx-trigger' in html
    assert '<option value="1100.0" selected>1100.0 ' in html  # the filter says what it keeps
    lines = client.get(f"{PAGE}/lines", params={"cost_center": kept[0], "agency": "1100.0"}).text
    rows = re.findall(r'<tr id="line-[^"]+">\s*<th scope="row">([^ ]+) ', lines)
    assert rows
    assert set(rows) == {"1100.0"}
    assert "hx-patch" not in lines  # the committee reads the counts
    both = client.get(PAGE, params={"cost_center": "6150", "agency": AGENCY}).text
    assert re.findall(r'<tr id="(line-[^"]+)"', both) == ["line-6150-1931_0-UNIFORMED"]
    none = client.get(PAGE, params={"cost_center": "9999"})
    assert none.status_code == 200
    assert "No cost center 9999 has counts." in none.text
    assert "usa-accordion__heading" not in none.text
    gone = client.get(f"{PAGE}/lines", params={"cost_center": "9999"})
    assert gone.status_code == 200  # said in the section, which htmx swaps only from a 2xx answer
    assert 'role="alert">No count of cost center 9999 is left: reload the page.' in gone.text


def test_a_cost_centers_lines_are_read_as_the_page_is(app):  # noqa: F811
    lines = f"{PAGE}/lines?cost_center=6150"
    hq, _ = signed_in(app, "hq")
    assert hq.get(lines).status_code == 404  # hq does not read the post: as if it were not stored
    fmo, _ = signed_in(app, "fmo")
    assert fmo.get(f"/posts/PSL/{FY}/workload/lines?cost_center=6150").status_code == 404  # not fmo's post
    assert fmo.get(f"{PAGE}/lines").status_code == 422  # no cost center asked
    assert fmo.get(f"{PAGE}/lines", params={"cost_center": "x" * 600}).status_code == 422
    answer = TestClient(app).get(lines, follow_redirects=False)
    assert answer.status_code == 303  # to sign in
