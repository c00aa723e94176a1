"""The counting rules (catalog/counting/rules.toml) against the handbook and the cost center catalog."""

from __future__ import annotations

import re
from decimal import Decimal
from importlib import resources

import pytest

from icass.catalog import load_catalog
from icass.catalog.counting import PersonKind, load_counting_rules
from icass.catalog.sections import heading_of, headings
from icass.workload.trail import weight_units

RULES = load_counting_rules()
CATALOG = load_catalog()
TEXT = (resources.files("icass.catalog") / "counting" / "rules.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("citation", sorted(set(re.findall(r'"((?:Exhibit )?H-\d[^"]*)"', TEXT))))
def test_every_citation_is_a_heading_of_the_handbook(citation):
    assert heading_of(citation) in headings()


@pytest.mark.parametrize("methodology", ["standard", "lite"])
def test_every_rule_counts_a_cost_center_of_its_methodology(methodology):
    for code in RULES.for_methodology(methodology):
        spec = CATALOG.find(code, methodology)
        assert spec is not None, code
        assert spec.distribution == "workload"


@pytest.mark.parametrize("methodology", ["standard", "lite"])
def test_the_mandatory_set_is_the_catalogs(methodology):
    assert set(RULES.mandatory_set(methodology)) == {e.code for e in CATALOG.methodology(methodology) if e.mandatory}


def test_every_weight_has_at_most_two_decimals():
    weights = [t.weight for r in RULES.people for t in r.terms]
    weights += [r.role_weight.weight for r in RULES.people if r.role_weight]
    weights += [w for r in RULES.procurement for _, w in r.tiers] + [r.base for r in RULES.procurement]
    weights += [r.separate_network_account_weight for r in RULES.it]
    assert all(weight_units(w) == w * 100 for w in weights)


def test_the_catalog_entries_weights_are_the_rules():
    # The entries describe their weights in words; the rules hold the numbers the code reads. They agree.
    it = next(r for r in RULES.it if "standard" in r.methodologies)
    (accounts,) = CATALOG.find("5458", "standard").weights
    assert accounts.weight == it.separate_network_account_weight
    warehouse = next(r for r in RULES.people if r.cost_center == "6143")
    (le_staff,) = CATALOG.find("6143", "standard").weights
    assert warehouse.weight_of(PersonKind.LE_STAFF) == le_staff.weight
    procurement = RULES.procurement[0]
    assert sorted(w.weight for w in CATALOG.find("6134", "standard").weights) == sorted(
        [procurement.base, *(w for _, w in procurement.tiers)]
    )
    general = next(r for r in RULES.people if r.cost_center == "6145")
    lite = {w.section: w.weight for w in CATALOG.find("6145", "lite").weights}
    # H-342.5 f NOTE 1-2: guards are modified at 0.3 before entry, then weighted 0.2 like LE staff: 0.06.
    assert general.role_weight is not None
    assert general.role_weight.weight == lite["H-342.5 f NOTE 1"] * lite["H-342.7-4 a"] == Decimal("0.06")


def test_roles_route_to_special_agency_codes():
    assert {r.agency for r in RULES.roles.values()} == {"1900.0", "1901.0", "1931.0", "1942.0"}


def test_the_catalog_command_offers_the_named_levels():
    from click.testing import CliRunner

    from icass.cli import app

    result = CliRunner().invoke(app, ["catalog"])
    assert result.exit_code == 0
    assert "RECEIVING_AND_DELIVERY = 0.3" in result.stdout
