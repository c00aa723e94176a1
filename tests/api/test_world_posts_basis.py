"""`GET /api/world/{fy}/posts?basis=live|initial|final` (issue 20 §1): the world's posts by bureau on the basis
asked, as the other world routes take it: each post counted with the version its total comes from, the posts left
out listed under their own bureau; the ISC's world page shows the same."""

from __future__ import annotations

from decimal import Decimal

from tests.api.test_api import BASE, FY, KVR, sign_in
from tests.api.test_api_world import site  # noqa: F401 (a fixture)
from tests.versions import accept_the_final

POSTS = f"/api/world/{FY}/posts"


def _posts(bureaus: list[dict]) -> dict[str, dict]:
    return {p["post"]: {**p, "region": b["region"]} for b in bureaus for p in b["posts"]}


def test_each_basis_counts_its_versions_and_lists_the_posts_left_out(site, seeded_url):  # noqa: F811
    admin = sign_in(site, "admin")
    live = admin.get(POSTS).json()
    assert live == admin.get(POSTS, params={"basis": "live"}).json()
    region_of = {code: p["region"] for code, p in _posts(live).items()}
    everyone = set(region_of)
    assert len(everyone) == 6
    assert all(b["posts_left_out"] == [] for b in live)
    assert all(p["version"] is None for p in _posts(live).values())
    for kind in ("initial", "final"):
        made = admin.change("POST", f"{BASE}/versions", json={"kind": kind, "comment": ""})
        assert made.status_code == 201, made.text
    accept_the_final(seeded_url)
    for basis, state in (("final", "accepted"), ("initial", "draft")):
        bureaus = admin.get(POSTS, params={"basis": basis}).json()
        counted = _posts(bureaus)
        assert set(counted) == {KVR}
        version = counted[KVR]["version"]
        assert (version["post"], version["kind"], version["state"]) == (KVR, basis, state)
        invoice = admin.get(f"/api/world/{FY}/invoices/1100.0", params={"basis": basis}).json()
        assert version == invoice["versions"][0]  # the version the invoices on this basis count
        left_out = {code: b["region"] for b in bureaus for code in b["posts_left_out"]}
        assert left_out == {code: region for code, region in region_of.items() if code != KVR}
        assert sorted(left_out) == sorted(invoice["posts_left_out"])
        for b in bureaus:
            assert b["posts_left_out"] == sorted(b["posts_left_out"])
            assert sum(Decimal(p["total"]) for p in b["posts"]) == Decimal(b["total"])
            if not b["posts"]:
                assert b["total"] == "0.00"
        assert [b["region"] for b in bureaus] == sorted(set(region_of.values()))
    assert admin.get(POSTS, params={"basis": "other"}).status_code == 422
    page = admin.get(f"/world/{FY}", params={"basis": "final"}).text
    rows = page.split('id="world-posts"')[1].split("</table>")[0]
    for code in everyone - {KVR}:
        said = "not in these figures: its final version is not yet accepted"
        assert f'href="/posts/{code}/{FY}">{code}</a></th><td colspan="2">{said}' in rows
    assert "version 2, accepted" in rows


def test_only_the_isc_reads_the_worlds_posts(site):  # noqa: F811
    for role in ("fmo", "committee", "hq"):
        assert sign_in(site, role).get(POSTS, params={"basis": "final"}).status_code == 403, role
