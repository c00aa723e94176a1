"""The path of a TDY invoice as pure rules (icass.model.tdy_path): every step in every state by every capacity,
the Council's approval of the policy (H-362 a) and the roll to the next fiscal year (H-363.1-6 c(7)); and the
policy's council_approved_on as tdy/policy.toml gives it."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from icass.bundle.tdy import read_tdy
from icass.catalog import load_catalog
from icass.catalog.tdy import load_tdy_rules
from icass.model import Methodology
from icass.model.tdy_path import (
    ADMIN,
    FMO,
    HQ,
    STEPS,
    BilledIn,
    Incomplete,
    Invoice,
    NotYours,
    OutOfOrder,
    State,
    billed_in,
    council_problem,
    open_to,
    take,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ON = dt.date(2028, 7, 1)
COUNCIL = dt.date(2027, 10, 5)
ISSUED = Invoice("T01", 2028, "issued", (), 76020, None)
NEXT = {
    ("submit_to_isc", State.PREPARED): State.SUBMITTED_TO_ISC,
    ("submit_to_isc", State.REJECTED): State.SUBMITTED_TO_ISC,
    ("approve", State.SUBMITTED_TO_ISC): State.APPROVED,
    ("reject", State.SUBMITTED_TO_ISC): State.REJECTED,
}
WHO = {"submit_to_isc": {FMO}, "approve": {ADMIN, HQ}, "reject": {ADMIN, HQ}}


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("step", list(STEPS))
@pytest.mark.parametrize("capacity", [FMO, ADMIN, HQ, "committee"])
def test_every_step_in_every_state_by_every_capacity(state, step, capacity):
    def taken() -> State:
        return take(state, step, {capacity}, ISSUED, "a reason", ON, COUNCIL)

    if capacity not in WHO[step]:
        with pytest.raises(NotYours, match=step):
            taken()
    elif (step, state) not in NEXT:
        with pytest.raises(OutOfOrder, match=f"invoice T01 is {state.value}: {step} is taken on an invoice"):
            taken()
    else:
        assert taken() == NEXT[(step, state)]
        assert step in open_to(state, {capacity})


@pytest.mark.parametrize("status", ["below_threshold", "held", "rejected"])
def test_only_an_issued_invoice_is_submitted(status):
    judged = Invoice("T05", 2028, status, ("why it is not",), 1000, None)
    with pytest.raises(OutOfOrder, match="cannot be submitted on 2028-07-01: why it is not"):
        take(State.PREPARED, "submit_to_isc", {FMO}, judged, "", ON, COUNCIL)


def test_a_rejection_needs_its_reason_and_an_unknown_step_is_refused():
    with pytest.raises(Incomplete, match="reason"):
        take(State.SUBMITTED_TO_ISC, "reject", {ADMIN}, ISSUED, " \n", ON, COUNCIL)
    with pytest.raises(Incomplete, match="unknown step"):
        take(State.SUBMITTED_TO_ISC, "accept", {ADMIN}, ISSUED, "", ON, COUNCIL)


def test_an_invoice_changed_since_its_submission_is_not_approved():
    changed = Invoice("T01", 2028, "issued", (), 80000, 76020)
    with pytest.raises(OutOfOrder, match=r"total \$760.20 then, \$800.00 now"):
        take(State.SUBMITTED_TO_ISC, "approve", {HQ}, changed, "", ON, COUNCIL)
    assert take(State.SUBMITTED_TO_ISC, "reject", {HQ}, changed, "changed", ON, COUNCIL) == State.REJECTED


@pytest.mark.parametrize(
    ("council", "said"),
    [
        (None, "no council_approved_on date"),
        (dt.date(2027, 9, 30), "is not in FY 2028"),
        (dt.date(2028, 10, 1), "is not in FY 2028"),
        (dt.date(2028, 7, 2), "is after 2028-07-01"),
    ],
)
def test_no_approval_without_the_councils_approval_in_the_invoices_year(council, said):
    assert said in (council_problem(council, 2028, ON) or "")
    with pytest.raises(OutOfOrder, match="H-362 a"):
        take(State.SUBMITTED_TO_ISC, "approve", {ADMIN}, ISSUED, "", ON, council)
    assert take(State.SUBMITTED_TO_ISC, "reject", {ADMIN}, ISSUED, "no policy", ON, council) == State.REJECTED


@pytest.mark.parametrize("council", [dt.date(2027, 10, 1), dt.date(2028, 7, 1)])
def test_a_council_approval_in_the_year_up_to_the_day_allows_it(council):
    assert council_problem(council, 2028, ON) is None


def test_the_roll_to_the_next_fiscal_year():
    issued = dt.date(2028, 6, 15)
    assert billed_in(2028, None, issued) == BilledIn(2028, "")
    assert billed_in(2028, dt.date(2028, 6, 15), issued) == BilledIn(2028, "")
    assert billed_in(2028, dt.date(2028, 7, 1), None) == BilledIn(2028, "")
    rolled = billed_in(2028, dt.date(2028, 6, 16), issued)
    assert rolled.fiscal_year == 2029
    assert rolled.said.endswith("billed in FY 2029 (H-363.1-6 c(7))")


def _policy_read(tmp_path: Path, line: str):
    folder = tmp_path / "bundle"
    shutil.copytree(EXAMPLES / "standard-post" / "tdy", folder / "tdy")
    policy = folder / "tdy" / "policy.toml"
    kept = [x for x in policy.read_text(encoding="utf-8").splitlines() if not x.startswith("council_approved_on")]
    kept.insert(3, line)
    policy.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return read_tdy(folder, Methodology.STANDARD, load_catalog(), load_tdy_rules())


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("council_approved_on = 2027-10-05", dt.date(2027, 10, 5)),
        ('council_approved_on = "2027-10-05"', dt.date(2027, 10, 5)),
        ("", None),
    ],
)
def test_the_policy_gives_the_councils_approval(tmp_path, line, found):
    records, problems = _policy_read(tmp_path, line)
    assert records is not None, [str(p) for p in problems]
    assert records.policy.council_approved_on == found


@pytest.mark.parametrize(
    "line", ['council_approved_on = "October"', "council_approved_on = 5", 'council_approved_on = ""']
)
def test_a_council_approval_not_a_date_is_an_error_naming_the_key(tmp_path, line):
    records, problems = _policy_read(tmp_path, line)
    assert records is None
    (problem,) = [p for p in problems if p.field == "policy.council_approved_on"]
    assert problem.section == "H-362 a"


def test_the_published_policy_says_the_councils_approval_and_warns_without_it(tmp_path):
    from click.testing import CliRunner

    from icass.cli import app

    folder = tmp_path / "standard-post"
    shutil.copytree(EXAMPLES / "standard-post", folder)
    approved = CliRunner().invoke(app, ["tdy", "policy", str(folder)])
    assert approved.exit_code == 0, approved.output
    assert "Approved by the ICASS Council on 2027-10-05 (6 FAH-5 H-362 a)." in approved.stdout
    assert "council_approved_on" not in approved.stderr
    policy = folder / "tdy" / "policy.toml"
    kept = [x for x in policy.read_text(encoding="utf-8").splitlines() if not x.startswith("council_approved_on")]
    policy.write_text("\n".join(kept) + "\n", encoding="utf-8")
    unapproved = CliRunner().invoke(app, ["tdy", "policy", str(folder)])
    assert unapproved.exit_code == 0, unapproved.output
    assert "Approved by the ICASS Council" not in unapproved.stdout
    assert "warning: tdy/policy.toml has no council_approved_on" in unapproved.stderr
    assert "(6 FAH-5 H-362 a)" in unapproved.stderr
