"""The Budget Summary Worksheet (H-341.5-1(B) NOTE 5, H-341.15-6(B) NOTE 1): the post's budget by object
class (SOC) and funding source, every budget line and every position's cost pool (AmSal and PAT from the
grades included), with the local guard program's contract lines broken out, since "Totals for each of these
contract line items should be detailed in Post's Budget Summary Worksheet"."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from icass.model import FUNDING_SOURCES, LOCAL_GUARD_PROGRAM, PositionCategory, PostBundle
from icass.model.columnar import column
from icass.model.records import AMSAL_SOC, PAT_SOC
from icass.money import format_plain

SECTION = "H-341.5-1(B) NOTE 5"
CONTRACTS = "25"  # object class 25, contractual services: a SOC 25xx line is a contract's


@dataclass(frozen=True)
class SocLine:
    soc: str
    by_funding: dict[str, int]  # funding source -> cents

    @property
    def total(self) -> int:
        return sum(self.by_funding.values())


@dataclass(frozen=True)
class ContractLine:
    cost_center: str
    soc: str
    description: str
    amount: int


@dataclass(frozen=True)
class BudgetSummary:
    lines: tuple[SocLine, ...]  # by SOC
    contracts: tuple[ContractLine, ...]  # the guard program's contract lines, as budgeted

    def total(self, funding: str | None = None) -> int:
        return sum(line.by_funding.get(funding, 0) if funding else line.total for line in self.lines)


def budget_summary(bundle: PostBundle) -> BudgetSummary:
    by_soc: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    contracts: list[ContractLine] = []
    names = ("cost_center", "funding", "soc", "amount", "description")
    budget = zip(*(column(bundle.budget, name) for name in names), strict=True)
    for code, funding, soc, amount, description in budget:
        by_soc[soc][str(funding)] += amount
        if code.split("-")[0] in LOCAL_GUARD_PROGRAM and soc.startswith(CONTRACTS):
            contracts.append(ContractLine(code, soc, description, amount))
    factors = {f.grade: f for f in bundle.cost_factors}
    for category, grade in zip(column(bundle.positions, "category"), column(bundle.positions, "grade"), strict=True):
        if category == PositionCategory.USDH and grade in factors:
            by_soc[AMSAL_SOC]["AMSAL"] += factors[grade].amsal
            by_soc[PAT_SOC]["PAT"] += factors[grade].pat
    pooled = zip(*(column(bundle.position_costs, name) for name in ("funding", "soc", "amount")), strict=True)
    for funding, soc, amount in pooled:
        by_soc[soc][str(funding)] += amount
    order = [str(f) for f in FUNDING_SOURCES]
    lines = tuple(SocLine(soc, {f: by_soc[soc][f] for f in order if by_soc[soc].get(f)}) for soc in sorted(by_soc))
    return BudgetSummary(lines, tuple(sorted(contracts, key=lambda c: (c.cost_center, c.soc, c.description))))


HEADER = ("soc", *(str(f) for f in FUNDING_SOURCES), "total")


def summary_csv(summary: BudgetSummary) -> str:
    """`icass budget-summary --format csv`: one row a SOC, its dollars by funding source and in total, then the
    total row (`soc` = total)."""
    fundings = [str(f) for f in FUNDING_SOURCES]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for line in summary.lines:
        writer.writerow(
            (line.soc, *(format_plain(line.by_funding.get(f, 0)) for f in fundings), format_plain(line.total))
        )
    writer.writerow(("total", *(format_plain(summary.total(f)) for f in fundings), format_plain(summary.total())))
    return out.getvalue()


CONTRACTS_HEADER = ("cost_center", "soc", "description", "amount")


def summary_rows(summary: BudgetSummary) -> list[tuple[str | Decimal, ...]]:
    """The worksheet as the rows of a workbook's sheet: the table of `summary_csv` in Decimal dollars, then,
    after a blank row, the local guard program's contract lines, each as budgeted."""
    fundings = [str(f) for f in FUNDING_SOURCES]

    def dollars(cents: int) -> Decimal:
        return Decimal(cents).scaleb(-2)

    rows: list[tuple[str | Decimal, ...]] = [HEADER]
    rows += [
        (line.soc, *(dollars(line.by_funding.get(f, 0)) for f in fundings), dollars(line.total))
        for line in summary.lines
    ]
    rows.append(("total", *(dollars(summary.total(f)) for f in fundings), dollars(summary.total())))
    if summary.contracts:
        rows += [(), (f"Local guard program contract lines ({SECTION})",), CONTRACTS_HEADER]
        rows += [(c.cost_center, c.soc, c.description, dollars(c.amount)) for c in summary.contracts]
    return rows
