"""The catalog against the handbook it encodes."""

from __future__ import annotations

import re
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest

from icass.catalog import load_catalog
from icass.catalog.sections import heading_of, headings
from icass.report import catalog_csv

CATALOG = load_catalog()
MANDATORY = {"5624", "5880", "6150", "6443"}  # H-341 b, H-342 c


def exhibit_columns() -> tuple[set[str], set[str]]:
    """(Standard codes, Lite codes) of Exhibit H-341, read from the handbook's own table."""
    text = (resources.files("icass.catalog") / "handbook" / "h340-cost-centers.txt").read_text(encoding="utf-8")
    exhibit = text[text.index("6 FAH-5 EXHIBIT H-341") :]
    # Cells are separated by blank lines; an empty cell is a lone non-breaking space.
    cells = [cell.strip() for cell in exhibit.split("\n\n")]
    cells = cells[cells.index("COST CENTER NAMES") + 1 :]
    standard, lite = set(), set()
    code, lite_cell = re.compile(r"\d{4}|"), re.compile(r"\d{4}|Optional|")
    i = 0
    while i + 2 < len(cells):
        # A row is: Standard cell, Lite cell ("Optional" is a Lite option, not a Lite code), name.
        if code.fullmatch(cells[i]) and lite_cell.fullmatch(cells[i + 1]) and not code.fullmatch(cells[i + 2]):
            if cells[i]:
                standard.add(cells[i])
            if re.fullmatch(r"\d{4}", cells[i + 1]):
                lite.add(cells[i + 1])
            i += 3
        else:
            i += 1
    return standard, lite


def test_the_handbook_headings_are_found():
    assert {"H-341.4-4", "H-341.5-1(D)", "H-342.7-4", "H-423.1-1", "Exhibit H-341"} <= headings()


@pytest.mark.parametrize("entry", CATALOG.entries, ids=lambda e: f"{e.methodology}-{e.code}")
def test_every_citation_names_a_heading_of_the_handbook(entry):
    missing = [c for c in entry.citations() if heading_of(c) not in headings()]
    assert missing == []


def test_citations_outside_the_catalog_name_headings():
    from icass.bundle import tdy
    from icass.checks import (
        budget,
        context,
        counts,
        funding,
        object_classes,
        other_rules,
        positions,
        records,
        references,
        shares,
        sub_cost_centers,
        subscriptions,
        tdy_rules,
        time_rules,
        workload_records,
        workload_rules,
    )
    from icass.distribution import invoice, steps
    from icass.tdy import invoices, policy_text, rates
    from icass.workload import weighted

    checks = (budget, context, counts, funding, object_classes, positions, records, references, shares, time_rules)
    checks += (subscriptions, sub_cost_centers, other_rules, workload_rules, workload_records, tdy_rules)
    for module in (*checks, steps, invoice, weighted, tdy, invoices, rates, policy_text):
        source = resources.files("icass").joinpath(*module.__name__.split(".")[1:]).with_suffix(".py")
        for cited in re.findall(r"\bH-\d{3}(?:\.\d+)*(?:-\d+)?(?:\([A-Z]\))?", source.read_text(encoding="utf-8")):
            assert cited in headings(), f"{module.__name__} cites {cited}"


@pytest.mark.parametrize("methodology", ["standard", "lite"])
def test_mandatory_cost_centers(methodology):
    assert {e.code for e in CATALOG.methodology(methodology) if e.mandatory} == MANDATORY


@pytest.mark.parametrize("methodology", ["standard", "lite"])
def test_every_exhibit_code_is_in_the_catalog(methodology):
    standard, lite = exhibit_columns()
    assert len(standard) == 36
    assert len(lite) >= 24
    expected = standard if methodology == "standard" else lite
    assert expected <= {e.code for e in CATALOG.methodology(methodology)}


def test_lite_bundles_replace_their_standard_parts():
    lite = {e.code for e in CATALOG.methodology("lite")}
    standard = {e.code for e in CATALOG.methodology("standard")}
    assert {"6145", "6196", "6445", "6225"} <= lite
    assert not {"6145", "6196", "6445", "6225"} & standard
    assert not {"6192", "6194", "6195", "6441", "6451", "6222"} & lite


@pytest.mark.parametrize("entry", CATALOG.entries, ids=lambda e: f"{e.methodology}-{e.code}")
def test_entries_are_consistent(entry):
    if entry.parent:
        parent = CATALOG.find(entry.parent, entry.methodology)
        assert parent is not None
        assert not parent.is_sub_cost_center
    if entry.distribution != "workload":
        assert entry.count_basis == "none"
        assert entry.modifiable == "no"
        assert not entry.mandatory
    else:
        assert entry.factor
        assert entry.unit
    if entry.count_basis != "none":
        assert entry.count_section
    if entry.modifiable == "no":
        assert entry.min_modification is None
        assert not entry.allowed_modifications
    for value in (entry.min_modification, *entry.allowed_modifications):
        if value is not None:
            assert Decimal(0) < value <= Decimal(1)
    assert all(w.weight > 0 for w in entry.weights)


def test_special_cost_centers():
    for methodology in ("standard", "lite"):
        assert CATALOG.find("0000", methodology).distribution == "non_icass"
        assert CATALOG.find("8790", methodology).distribution == "miscellaneous"


def test_post_defined_sub_cost_centers_take_their_parents_rules():
    sub = CATALOG.find("6139-X777", "standard")
    parent = CATALOG.find("6139", "standard")
    assert sub is not None
    assert not sub.standardized
    assert (sub.parent, sub.factor, sub.modifiable, sub.count_basis) == (
        "6139",
        parent.factor,
        "no",
        parent.count_basis,
    )
    assert CATALOG.find("8790-X001", "standard") is None  # no factor to inherit
    assert CATALOG.find("6145-X999", "standard") is None  # a Lite parent at a Standard post


def test_catalog_csv():
    text = catalog_csv(CATALOG.methodology("standard"))
    lines = text.splitlines()
    assert lines[0] == "code,name,mandatory,count_basis,modifiable,section"
    assert "6150,Basic Package Services,yes,static,yes,H-341.1" in lines
    assert "0000,Non-ICASS Dual Positions,no,none,no,H-341.14" in lines
    assert len(lines) == 1 + len(CATALOG.methodology("standard"))


def test_the_tdy_rules_cite_the_handbook_and_cover_every_visitor_category():
    from icass.catalog.tdy import SPONSOR, load_tdy_rules
    from icass.model.tdy import VisitCategory

    rules = load_tdy_rules()
    assert [c for c in rules.citations() if heading_of(c) not in headings()] == []
    assert set(rules.categories) == set(VisitCategory)
    assert set(rules.mandatory) == MANDATORY  # H-363.1-5 c names the same four as H-341 b
    assert rules.minimum_threshold == 500_00
    for rule in rules.categories.values():
        assert rule.transactions == SPONSOR or rule.transactions in {"1900.0", "1901.0"}
        assert rule.invoiced or not rule.daily  # daily lines only ever go on an invoice


# Lower layers first: a package may import only packages of an earlier layer (the functional core below the
# shells). Same-layer packages stay independent of each other.
LAYERS = (
    {"model", "catalog", "money"},
    {"diagnostics"},
    {"distribution"},
    {"checks"},
    {"workload"},
    {"tdy"},
    {"bundle"},
    {"report"},
    {"runs"},
    {"views"},
    {"store"},
    {"api"},
    {"web"},
    {"cli"},
    {"__main__"},
)


def test_no_package_imports_upward():
    import ast

    layer = {name: i for i, names in enumerate(LAYERS) for name in names}
    root = resources.files("icass")
    upward = []
    for path in sorted(Path(str(root)).rglob("*.py")):
        package = path.relative_to(Path(str(root))).parts[0].removesuffix(".py")
        if package == "__init__":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
            names += [a.name for a in node.names] if isinstance(node, ast.Import) else []
            for name in names:
                parts = name.split(".")
                inward = parts[0] == "icass" and len(parts) > 1 and parts[1] != package
                if inward and layer[parts[1]] >= layer[package]:
                    upward.append(f"{path.name} imports {name}")
    assert upward == []


def test_the_compiled_catalog_is_the_parse_of_the_toml_as_it_is_now(tmp_path):
    """The cache gives exactly what tomllib gives, and an edited file is parsed again, whatever the cache holds."""
    import tomllib

    from icass.catalog.compiled import load_documents

    data, cache = tmp_path / "data", tmp_path / "cache"
    data.mkdir()
    first, second = data / "a.toml", data / "b.toml"
    first.write_text('[[cost_center]]\ncode = "1111"\nweights = [1, 2.5]\n', encoding="utf-8")
    second.write_text('note = """two\r\nlines"""\n', encoding="utf-8", newline="")
    files = [first, second]
    expected = [tomllib.loads(first.read_text(encoding="utf-8")), tomllib.loads(second.read_text(encoding="utf-8"))]
    assert load_documents(files, "test", cache) == expected  # parsed, and the cache written
    assert [p.name.split("-")[0] for p in cache.iterdir()] == ["test"]
    assert load_documents(files, "test", cache) == expected  # from the cache
    first.write_text('[[cost_center]]\ncode = "2222"\n', encoding="utf-8")
    assert load_documents(files, "test", cache)[0] == {"cost_center": [{"code": "2222"}]}
    assert load_documents(files, "test", cache)[0] == {"cost_center": [{"code": "2222"}]}
    (kept,) = cache.iterdir()
    kept.write_bytes(b"not marshal")
    assert load_documents(files, "test", cache)[0] == {"cost_center": [{"code": "2222"}]}
    first.write_text("broken = \n", encoding="utf-8")
    with pytest.raises(tomllib.TOMLDecodeError):
        load_documents(files, "test", cache)


def test_the_catalog_is_read_without_a_cache_it_cannot_keep(tmp_path, monkeypatch):
    from icass.catalog import cost_centers
    from icass.catalog.compiled import cache_dir, load_documents

    monkeypatch.setenv("ICASS_CACHE_DIR", "")
    assert cache_dir() is None
    files = sorted(p for p in cost_centers.DATA.iterdir() if p.name.endswith(".toml"))
    expected = load_documents(files, "catalog")
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder would be", encoding="utf-8")
    assert load_documents(files, "catalog", blocked / "cache") == expected
    monkeypatch.setenv("ICASS_CACHE_DIR", str(tmp_path / "cache"))
    assert load_documents(files, "catalog") == expected
    assert load_documents(files, "catalog") == expected
    assert cost_centers.load_catalog.__wrapped__() == cost_centers.load_catalog()


@pytest.mark.parametrize("methodology", ["standard", "lite"])
def test_further_parking_lots_take_the_next_numbers_and_count_spaces(methodology):
    # H-341.15-10: "If there are additional parking lots, assign the next number in the sequence (i.e., X823,
    # X824, or X863, X864, etc.)"; (D) a: the factor is the parking spaces, not the parent's square meters.
    for code, first, name in (
        ("7820-X823", "7820-X821", "BO GO/CL Parking Lot No. 3"),
        ("7860-X864", "7860-X861", "BO OL Parking Lot No. 4"),
    ):
        further, template = CATALOG.find(code, methodology), CATALOG.find(first, methodology)
        assert further is not None
        assert (further.name, further.parent, further.unit, further.count_section) == (
            name,
            code[:4],
            template.unit,
            template.count_section,
        )
        assert further.unit == "parking spaces"
        assert further.modifiable == "no"
    other = CATALOG.find("7820-X001", methodology)
    assert other is not None
    assert other.unit == CATALOG.find("7820", methodology).unit  # any other sub-cost center keeps its parent's


@pytest.mark.parametrize(
    ("methodology", "codes"),
    [("standard", ("6441-X003", "6451-X004")), ("lite", ("6445-X003", "6445-X005"))],
)
def test_further_language_programs_take_the_next_numbers_and_count_registrations(methodology, codes):
    # H-341.15-8: "If there are additional language programs, assign the next number in the sequence (i.e., X003,
    # X004, etc.)"; (D) b: registrations, an exception to the parent's factor.
    for code in codes:
        further = CATALOG.find(code, methodology)
        assert further is not None
        assert (further.parent, further.unit, further.count_basis, further.standardized) == (
            code[:4],
            "registrations",
            "cumulative",
            True,
        )
