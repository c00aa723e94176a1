"""The worldwide consolidation (issue 6, section 2): every item conserved to the cent, each held to an exact
Fraction reference of its basis, the grand total equal to every post budget plus every charge."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from icass.distribution.consolidation import share
from icass.model.world import Item
from icass.runs.post import run_post
from icass.runs.world import consolidate_world, run_world
from tests.reference import apportion
from tests.worlds import WORLD, write_world


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    run = run_world(write_world(tmp_path_factory.mktemp("world") / "world"))
    assert run.ok, [str(d) for d in run.diagnostics]
    consolidation, problems = consolidate_world(run)
    assert problems == []
    return run, consolidation


def test_every_share_is_conserved_and_leaves_icass_out(world):
    _, consolidation = world
    # 23 from the world's files, and Kivara's invoice of 9913.0 billed below the line (H-341.3-4 e)
    assert len(consolidation.shares) == 24
    assert [(s.item, str(s.source)) for s in consolidation.shares if s.billed_at_posts] == [
        (Item.MEDEVAC, "KVR's invoice of 9913.0")
    ]
    for item_share in consolidation.shares:
        assert sum(item_share.parts.values()) == item_share.amount, item_share.item
        assert "1901.0" not in item_share.parts
        assert "9913.0" not in item_share.parts


def test_every_share_is_the_fraction_reference_of_its_basis(world):
    _, consolidation = world
    for item_share in consolidation.shares:
        if item_share.item in (Item.OTHER, Item.FOB_RSA):
            continue  # charged as is
        basis = {a: Fraction(v) for a, v in item_share.basis.items()}
        magnitude = apportion(abs(item_share.amount), basis)
        sign = -1 if item_share.amount < 0 else 1
        assert {a: sign * p for a, p in magnitude.items() if p} == dict(item_share.parts), item_share.item


def test_the_grand_total_is_every_post_budget_plus_every_charge(world):
    run, consolidation = world
    budgets = sum(int(p.distribution.cost_of(p.bundle.post.code).sum()) for p in run.posts)
    charges = sum(s.amount for s in consolidation.shares if not s.billed_at_posts)
    invoices = sum(consolidation.post_totals.values()) + sum(consolidation.item_totals().values())
    assert invoices == budgets + charges
    assert all(agency != "9913.0" for agency, _, _ in consolidation.post_totals)  # no headquarters invoice


def test_the_adjustments_are_the_targets_less_what_was_budgeted(world):
    run, consolidation = world
    amsal = sum(int(p.distribution.cost_of(p.bundle.post.code)[:, 3].sum()) for p in run.posts)
    pat = sum(int(p.distribution.cost_of(p.bundle.post.code)[:, 4].sum()) for p in run.posts)
    adjustment = {s.item: s.amount for s in consolidation.shares if s.item in (Item.AMSAL_ADJ, Item.PAT_ADJ)}
    # H-424 b(1): "adding in the ISC and domestic diplomatic mail and pouch salary costs" ($33,000 and $30,000).
    assert adjustment[Item.AMSAL_ADJ] == 280_000_000 - (amsal + 3_300_000 + 3_000_000)
    assert adjustment[Item.PAT_ADJ] == 76_000_000 - pat


def test_dpm_is_split_into_a_pouch_and_an_apo_part(world):
    _, consolidation = world
    dpm = [s for s in consolidation.shares if s.item == Item.DPM]
    # 35.5 percent of $90,000 to pouch and border posts, the rest to APO posts.
    assert [(s.amount, s.basis_name) for s in dpm] == [
        (3_195_000, "unmodified 6150 counts at pouch and border posts"),
        (5_805_000, "unmodified 6150 counts at APO posts"),
    ]


def test_fob_rsa_is_the_fee_times_tokens(world):
    _, consolidation = world
    fob = {a: c for s in consolidation.shares if s.item == Item.FOB_RSA for a, c in s.parts.items()}
    assert fob == {"1900.0": 12 * 12_500, "9700.0": 3 * 12_500}


def test_moving_a_post_from_pouch_to_apo_moves_only_the_mail_items(tmp_path, world):
    _, before = world
    posts = WORLD["posts.csv"].replace("PSL,POUCH", "PSL,APO")
    moved, _ = consolidate_world(run_world(write_world(tmp_path / "world", posts_csv=posts)))
    mail = {Item.SDT, Item.DPM, Item.DPM_SALARY}
    after, earlier = moved.item_totals(), before.item_totals()
    assert {item for (agency, item), cents in after.items() if earlier.get((agency, item)) != cents} == mail
    assert {k: v for k, v in after.items() if k[1] not in mail} == {
        k: v for k, v in earlier.items() if k[1] not in mail
    }


def test_an_amount_with_no_basis_is_an_error(tmp_path):
    posts = WORLD["posts.csv"].replace("KVR,APO,yes,yes,yes", "KVR,APO,yes,yes,no")
    run = run_world(write_world(tmp_path / "world", posts_csv=posts))
    _, problems = consolidate_world(run)
    kivara = next(p for p in run.posts if p.bundle.post.code == "KVR")
    medevac = sum(line.total for line in kivara.distribution.lines("KVR") if line.agency == "9913.0")
    assert [str(p) for p in problems] == [
        "error: items.csv, row 10, amount: MEDEVAC has 15,000.00 dollars to share but its basis (modified 5624 "
        "counts at MEDEVAC posts) is zero for every agency (6 FAH-5 H-424 b(16))",
        f"error: KVR's invoice of 9913.0, amount: MEDEVAC has {medevac / 100:,.2f} dollars to share but its basis "
        "(modified 5624 counts at MEDEVAC posts) is zero for every agency (6 FAH-5 H-424 b(16))",
    ]


@settings(max_examples=200, deadline=None)
@given(
    st.integers(-(10**12), 10**12),
    st.dictionaries(
        st.sampled_from(["1100.0", "1900.0", "2000.0", "7200.0", "9700.0"]),
        st.decimals(0, 10**6, places=4),
        min_size=1,
    ),
)
def test_share_equals_the_fraction_reference(amount, basis):
    weights = {a: Fraction(w) for a, w in basis.items() if w}
    if not weights:
        return
    expected = apportion(abs(amount), weights)
    sign = -1 if amount < 0 else 1
    assert share(amount, {a: Decimal(w) for a, w in basis.items()}) == {a: sign * p for a, p in expected.items() if p}


def _independent_bases(run) -> dict[str, dict[str, Fraction]]:
    """Each basis recomputed from the posts' own records and distributions, written out plainly."""
    profiles = {p.post: p for p in run.files.profiles}
    totals: dict[tuple[str, str, str], Fraction] = {}
    counts: dict[tuple[str, str, str, bool], Fraction] = {}
    for post_run in run.posts:
        code = post_run.bundle.post.code
        for line in post_run.distribution.lines(code):
            key = (line.agency, code, str(line.funding))
            totals[key] = totals.get(key, Fraction(0)) + line.total
        for w in post_run.bundle.workload:
            for modified, value in ((False, w.count), (True, w.count * w.modification)):
                key = (w.cost_center, w.agency, code, modified)
                counts[key] = counts.get(key, Fraction(0)) + Fraction(value)

    def by_count(cc: str, modified: bool, posts=None) -> dict[str, Fraction]:
        found: dict[str, Fraction] = {}
        for (c, agency, post, m), value in counts.items():
            if c == cc and m == modified and (posts is None or post in posts):
                found[agency] = found.get(agency, Fraction(0)) + value
        return found

    def by_total(posts=None, funding=None) -> dict[str, Fraction]:
        found: dict[str, Fraction] = {}
        for (agency, post, f), value in totals.items():
            if (posts is None or post in posts) and (funding is None or f == funding):
                found[agency] = found.get(agency, Fraction(0)) + value
        return found

    apo = {p for p, x in profiles.items() if x.mail == "APO"}
    return {
        "FLO": by_count("6443", True),
        "MED": by_count("5624", True),
        "MEDEVAC": by_count("5624", True, {p for p, x in profiles.items() if x.medevac}),
        "SDT": by_count("6150", False, apo),
        "GITM": by_total(),
        "FSN_SEPARATION": by_total({p for p, x in profiles.items() if x.separation_pay}),
        "LGP_VEHICLES": by_total({p for p, x in profiles.items() if x.psa_guards}, "LGP"),
        "CF_REPLENISHMENT": by_total({"KVR"}, "RB"),
    }


def test_each_basis_equals_a_plain_recomputation(world):
    run, consolidation = world
    expected = _independent_bases(run)
    for item_share in consolidation.shares:
        if str(item_share.item) not in expected:
            continue
        plain = {a: v for a, v in expected[str(item_share.item)].items() if v and a not in ("1901.0", "9913.0")}
        assert {a: Fraction(v) for a, v in item_share.basis.items()} == plain, item_share.item
        assert dict(item_share.parts) == {a: p for a, p in apportion(item_share.amount, plain).items() if p}


def test_consolidating_a_world_equals_summing_each_post_alone(world):
    run, consolidation = world
    alone: dict[tuple[str, str, str], int] = {}
    for post_run in run.posts:  # each post distributed on its own
        code = post_run.bundle.post.code
        for line in post_run.distribution.lines(code):
            alone[(line.agency, code, line.funding)] = alone.get((line.agency, code, line.funding), 0) + line.total
    assert dict(consolidation.post_totals) == {k: v for k, v in alone.items() if v and k[0] != "9913.0"}
    medevac = sum(v for (agency, _, _), v in alone.items() if agency == "9913.0")
    assert medevac > 0
    assert sum(s.amount for s in consolidation.shares if s.billed_at_posts) == medevac


def test_a_world_runs_each_post_as_it_runs_alone(world):
    """A world reads and derives its posts as one batch: each post must come out as run_post gives it alone."""
    run, _ = world
    for folder, together in zip(run.files.post_folders, run.posts, strict=True):
        alone = run_post(folder)
        code = alone.bundle.post.code
        assert together.diagnostics == alone.diagnostics
        assert together.bundle == alone.bundle
        assert together.derivation.lines == alone.derivation.lines
        assert together.derivation.trail.equals(alone.derivation.trail)
        assert list(together.distribution.lines(code)) == list(alone.distribution.lines(code))


ITEMS_WITHOUT_FIELDS = [i for i in Item if i not in (Item.GFS, Item.CF_REPLENISHMENT, Item.OTHER, Item.FOB_RSA)]
ITEMS_WITHOUT_FIELDS = [i for i in ITEMS_WITHOUT_FIELDS if i not in (Item.AMSAL_ADJ, Item.PAT_ADJ, Item.TDY)]


@settings(max_examples=60, deadline=None)
@given(
    profiles=st.lists(
        st.tuples(st.sampled_from(["APO", "POUCH", "BORDER"]), st.booleans(), st.booleans(), st.booleans()),
        min_size=3,
        max_size=3,
    ),
    amounts=st.dictionaries(st.sampled_from(ITEMS_WITHOUT_FIELDS), st.integers(1, 10**9), min_size=1),
)
def test_random_worlds_conserve_every_item_and_tie_out(world, profiles, amounts):
    from icass.distribution.consolidation import consolidate
    from icass.model.world import ItemLine, Mail, PostProfile
    from icass.runs.world import post_figures

    run, _ = world
    figures = [post_figures(p) for p in run.posts]
    posts = [
        PostProfile(f.post, Mail(mail), separation, guards, medevac)
        for f, (mail, separation, guards, medevac) in zip(figures, profiles, strict=True)
    ]
    lines = [ItemLine(item, cents) for item, cents in amounts.items()]
    consolidation, problems = consolidate(run.files.world, figures, posts, lines)
    charged = {str(s.item) for s in consolidation.shares} - {"AMSAL_ADJ", "PAT_ADJ"}
    for problem in problems:  # only a basis that is zero everywhere may refuse an amount
        assert "is zero for every agency" in problem.message
    refused = {problem.message.split()[0] for problem in problems}
    # MEDEVAC is charged whatever items.csv says: the posts' invoices of 9913.0 are billed below the line.
    assert charged | refused == {str(item) for item in amounts} | {"MEDEVAC"}
    for item_share in consolidation.shares:
        assert sum(item_share.parts.values()) == item_share.amount
        basis = {a: Fraction(v) for a, v in item_share.basis.items()}
        if basis:
            magnitude = apportion(abs(item_share.amount), basis)
            sign = -1 if item_share.amount < 0 else 1
            assert {a: sign * p for a, p in magnitude.items() if p} == dict(item_share.parts)
