"""The workload page (issue 18, "for the FMO"): counts grouped by cost center with names and subtotals, the
derived count beside a typed one and an action to go back to it, the records behind each count a link away,
and every error of a change shown in its row (an empty count once came back as a 422 htmx never showed)."""

from __future__ import annotations

import re
from decimal import Decimal

from tests.web.test_web import AGENCY, FY, KVR, _total, app, signed_in  # noqa: F401 (fixture)

PAGE = f"/posts/{KVR}/{FY}/workload"


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
    group = html[html.index('id="cost-center-6150"') : html.index('id="subtotals-6150"')]
    counts = [Decimal(c) for c in re.findall(r'</th>\s*<td class="text-right">\s*([0-9.]+)\s*<', group)]
    assert counts  # a committee member reads the counts, no input
    subtotals = html[html.index('id="subtotals-6150"') : html.index("</tfoot>", html.index('id="subtotals-6150"'))]
    shown = [Decimal(s) for s in re.findall(r"Subtotal, [A-Z_]+</th><td class=\"text-right\">([0-9.]+)<", subtotals)]
    assert sum(shown) == sum(counts)  # one subtotal a factor, adding up the group's counts
    assert re.search(r"1931.0 <span class=\"text-normal\">[A-Z][a-z]", group)  # the agency's name beside its code
    assert '<h2 class="usa-accordion__heading">' in html  # each cost center a section that opens on request


def test_the_derived_count_stands_beside_a_typed_one_and_can_be_used_again(app):  # noqa: F811
    client, csrf = signed_in(app, "fmo")
    headers = {"X-CSRF-Token": csrf, "HX-Request": "true"}
    before = _total(client.get(f"/posts/{KVR}/{FY}/invoices/{AGENCY}").text, "invoice-total")
    url, _ = _line(client.get(PAGE).text)
    typed = client.patch(url, data={"count": "500", "version": "0"}, headers=headers)
    assert 'role="status">saved<' in typed.text
    derived = re.search(r'<td class="text-right">\s*([0-9]+)\s*<br><button[^>]*hx-delete="([^"]+)"', typed.text)
    assert derived is not None, typed.text
    assert derived.group(1) == "9"  # what the records derive, beside the 500 typed
    assert "Use the derived count" in typed.text
    assert 'id="subtotals-6150" hx-swap-oob="true"' in typed.text  # the group's subtotals follow the count
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
    url, row_id = _line(client.get(PAGE).text)
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
    html = client.get(PAGE).text
    link = re.search(rf'href="({PAGE}/records\?line=6150%3A1931.0%3AUNIFORMED)"', html)
    assert link is not None
    records = client.get(link.group(1).replace("&amp;", "&"))
    assert records.status_code == 200
    assert "6150 Basic Package Services, UNIFORMED" in records.text
    counted = records.text[records.text.index('id="records-counted"') :]
    assert counted.count("person 1931-B") == 9  # the nine records behind the derived count of 9
    assert f'href="/posts/{KVR}/{FY}/tables/people"' in counted
    assert "6 FAH-5 H-341.1-4 a" in counted
    absent = client.get(f"{PAGE}/records?line=6150:9999.0")
    assert absent.status_code == 404
