"""The handbook's own worked examples, reproduced from the catalog's weights and the engine."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from icass.catalog import load_catalog
from icass.distribution import distribute
from icass.model import Agency, BudgetLine, Post, PostBundle, Workload
from icass.workload import procurement_weight, weighted_count
from tests.reference import apportion

D = Decimal

# H-341.4-4 b: devices, OpenNet user IDs, and whether the agency keeps a separate IT network.
DEVICE_TABLE = {
    "State": (200, 96, False, "296"),
    "Public Diplomacy": (275, 65, False, "340"),
    "ICASS": (300, 120, False, "420"),
    "FCS": (2, 6, True, "3.8"),
    "DIA": (2, 6, True, "3.8"),
    "USAID": (2, 12, True, "5.6"),
    # The handbook prints "3 X 0.3 = 1" and a total of 3; 3 x 0.3 is 0.9. The catalog note records that
    # the exact product is used (5458 entry): 2 + 0.9 = 2.9.
    "FBI": (2, 3, True, "2.9"),
    "FAS": (8, 6, False, "14"),
}


def account_weight(methodology: str, separate_network: bool) -> Decimal:
    spec = load_catalog().find("5458", methodology)
    (weight,) = spec.weights
    return weight.weight if separate_network else D(1)


@pytest.mark.parametrize("methodology", ["standard", "lite"])
@pytest.mark.parametrize("agency", sorted(DEVICE_TABLE))
def test_5458_devices_and_weighted_accounts(methodology, agency):
    devices, accounts, separate, total = DEVICE_TABLE[agency]
    count = weighted_count([(D(devices), D(1)), (D(accounts), account_weight(methodology, separate))])
    assert count == D(total)


def test_5458_table_distributes_a_budget_in_proportion():
    codes = {name: f"{2000 + i}.0" for i, name in enumerate(sorted(DEVICE_TABLE))}
    workload = tuple(
        Workload("5458", codes[name], weighted_count([(D(d), D(1)), (D(a), account_weight("standard", s))]))
        for name, (d, a, s, _) in DEVICE_TABLE.items()
    )
    bundle = PostBundle(
        post=Post("TST", "Test", "Testland", "AF", "standard", 2027),
        agencies=tuple(Agency(code, name) for name, code in codes.items()),
        cost_factors=(),
        positions=(),
        position_costs=(),
        time_allocation=(),
        budget=(BudgetLine("5458", "RB", "2500", 123_456_789),),
        workload=workload,
    )
    shares = {a: s for a, _, _, s, _, _ in distribute(bundle, lambda code: "workload").lines()}
    total_count = sum(Fraction(w.count) for w in workload)  # 1086.1 weighted units
    assert total_count == Fraction("1086.1")
    assert sum(shares.values()) == 123_456_789
    for w in workload:
        assert abs(shares[w.agency] - Fraction(123_456_789) * Fraction(w.count) / total_count) < 1
    assert shares == apportion(123_456_789, {w.agency: Fraction(w.count) for w in workload})


def test_6143_basic_package_heads_plus_weighted_le_staff():
    # H-341.7-7(D) a: 16 Basic Package heads + 40 LE staff x 0.2 = 24.
    (le_weight,) = load_catalog().find("6143", "standard").weights
    assert weighted_count([(D(16), D(1)), (D(40), le_weight.weight)]) == D(24)


def test_6145_lite_general_services():
    # H-342.7-4 a: 20 USDH + 50 LE staff x 0.2 = 30.
    le_weight = next(w for w in load_catalog().find("6145", "lite").weights if w.section == "H-342.7-4 a")
    assert weighted_count([(D(20), D(1)), (D(50), le_weight.weight)]) == D(30)


@pytest.mark.parametrize(
    ("dollars", "weight"),
    [
        ("250000.01", "3"),
        ("250000", "2"),  # "greater than $10,000 through $250,000"
        ("190000", "2"),  # NOTE 6: agency X's share of a $250,000 contract
        ("50000", "2"),  # NOTE 6: agency Y's share
        ("10000.01", "2"),
        ("10000", "1"),  # NOTE 6: agency Z's share; "$10,000 or less"
        ("0", "1"),
    ],
)
def test_6134_procurement_weights(dollars, weight):
    assert procurement_weight(D(dollars)) == D(weight)


def test_6134_catalog_weights_agree_with_the_tiers():
    weights = sorted(w.weight for w in load_catalog().find("6134", "standard").weights)
    assert weights == [D(1), D(2), D(3)]
    assert sorted({procurement_weight(D(x)) for x in ("1", "20000", "300000")}) == weights


def test_negative_procurement_is_refused():
    with pytest.raises(ValueError, match=r"H-341\.7-3\(D\) c"):
        procurement_weight(D(-1))


def test_7810_apartment_building_by_net_square_meters():
    # H-341.12-1(D) e: 2 units of 110, 4 of 140 and 2 of 200 net m2 = 1,180 (common areas not counted). The
    # handbook prints the three groups' shares as 19, 47 and 34 percent: exactly 18.64, 47.46 and 33.90.
    groups = {"2000.0": 2 * 110, "3000.0": 4 * 140, "4000.0": 2 * 200}
    assert sum(groups.values()) == 1180
    bundle = PostBundle(
        post=Post("TST", "Test", "Testland", "AF", "standard", 2027),
        agencies=tuple(Agency(code, code) for code in groups),
        cost_factors=(),
        positions=(),
        position_costs=(),
        time_allocation=(),
        budget=(BudgetLine("7810", "OBO", "2300", 1_180_000_00),),
        workload=tuple(Workload("7810", code, D(m2)) for code, m2 in groups.items()),
    )
    shares = {a: s for a, _, _, s, _, _ in distribute(bundle, lambda code: "workload").lines()}
    assert shares == {"2000.0": 220_000_00, "3000.0": 560_000_00, "4000.0": 400_000_00}  # $1,000 a square meter
    percents = {a: round(Fraction(s, 1_180_000_00) * 100) for a, s in shares.items()}
    assert percents == {"2000.0": 19, "3000.0": 47, "4000.0": 34}
