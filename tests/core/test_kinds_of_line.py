"""A check that judges each budget line alone is run once on each kind of line (icass.checks.context
.each_kind_of_line): what it finds so must be exactly what it finds on every line, at every row, in row order."""

from __future__ import annotations

from icass.bundle.load import read_bundle
from icass.catalog import load_catalog
from icass.catalog.counting import load_counting_rules
from icass.checks import CHECKS, Context
from icass.checks.context import each_kind_of_line
from tests.bundles import BASE, write_bundle

# Lines that break a rule judged line by line, each typed three times with other amounts, among lines that
# break none, so that a kind's rows are far apart.
BROKEN = (
    "6139,OBO,2500,{},courier contract",  # R04
    "7810,OBO,2500,{},cleaning of the residences",  # R05
    "5821,RB,2500,{},guard uniforms",  # R07
    "7810,RB,2500,{},minor construction project at the residence",  # R11
    "6150,RB,0006,{},salary",  # R03
    "6144,OBO,3100,{},chairs",  # R14
    "5626,RB,2500,{},make ready contract",  # R24 or an unknown cost center
    "6139,RB,2529,{},PSU charge",  # R23
)
KEPT = "5880,RB,2500,{},supplies"


def test_each_kind_of_line_finds_what_every_line_finds(tmp_path):
    lines = [line.format(f"{100 + 7 * k + n}.00") for n in range(3) for k, line in enumerate((*BROKEN, KEPT, KEPT))]
    folder = write_bundle(tmp_path / "post", budget_csv=BASE["budget.csv"] + "\n".join(lines) + "\n")
    records, _ = read_bundle(folder)
    assert records is not None
    post = records.entered
    context = Context(load_catalog(), load_counting_rules())
    judged = [check for check in CHECKS if check.line_by_line]
    assert len(judged) >= 30
    fired = 0
    for check in judged:
        alone = each_kind_of_line(check, post, context)
        assert alone == check.rule(post, context), check.rule.__name__
        assert [d.source for d in alone] == [d.source for d in check.rule(post, context)]
        fired += bool(alone)
        if check.budget_rule == "R04":
            assert len([d for d in alone if "6139" in d.message]) == 3  # each courier line, at its own row
    assert fired >= 7  # most of the lines above are told, three times each
