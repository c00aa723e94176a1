"""The records of the worldwide consolidation (H-424, Exhibit H-421): the world's settings, each post's
profile (how mail reaches it, which central programs it has), and the centrally funded "below the line"
items, each shared among agencies on its own basis; money in whole cents."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from icass.model.provenance import NOWHERE, Source


class Stage(StrEnum):
    INITIAL = "initial"  # informational
    FINAL = "final"  # payable


class Mail(StrEnum):
    APO = "APO"  # served by APO/FPO/DPO
    POUCH = "POUCH"  # pouch only
    BORDER = "BORDER"  # Mexico and Canada border posts, not served by the USPS: outside SDT, with the pouch posts


class Item(StrEnum):
    """The below-the-line items of H-424 b, by the paragraph that states each one's basis."""

    GFS = "GFS"  # b(7)
    AMSAL_ADJ = "AMSAL_ADJ"  # b(1)
    PAT_ADJ = "PAT_ADJ"  # b(18)
    SDT = "SDT"  # b(2)
    DPM = "DPM"  # b(4)
    DPM_SALARY = "DPM_SALARY"  # b(5)
    CF_REPLENISHMENT = "CF_REPLENISHMENT"  # b(3)
    FLO = "FLO"  # b(6)
    MED = "MED"  # b(17)
    MEDEVAC = "MEDEVAC"  # b(16)
    FOB_RSA = "FOB_RSA"  # b(8)
    FSN_SEPARATION = "FSN_SEPARATION"  # b(9)
    LGP_VEHICLES = "LGP_VEHICLES"  # b(12)
    GITM = "GITM"  # b(10)
    ISC_NONSALARY = "ISC_NONSALARY"  # b(13)
    ISC_SALARY = "ISC_SALARY"  # b(14)
    IWG_CHAIR = "IWG_CHAIR"  # b(15)
    OVERSEAS_SCHOOLS = "OVERSEAS_SCHOOLS"  # b(11)
    OTHER = "OTHER"  # b(19)
    TDY = "TDY"  # ICASS costs not included in post invoices: the issued TDY invoices (H-363.1-6 c(5))


# The cost centers whose counts are a below-the-line basis: the Basic Package (mail: SDT, DPM), CLO (FLO),
# health (MED, MEDEVAC), and the financial management cost centers (GFS, H-424 b(7)).
BASIC_PACKAGE_COUNTS, CLO_COUNTS, HEALTH_COUNTS = "6150", "6443", "5624"
FINANCIAL_MANAGEMENT = ("6211", "6221", "6222", "6223", "6224", "6225")
BASIS_COST_CENTERS = frozenset({BASIC_PACKAGE_COUNTS, CLO_COUNTS, HEALTH_COUNTS, *FINANCIAL_MANAGEMENT})

ITEM_SECTION: dict[Item, str] = {
    Item.AMSAL_ADJ: "H-424 b(1)",
    Item.SDT: "H-424 b(2)",
    Item.CF_REPLENISHMENT: "H-424 b(3)",
    Item.DPM: "H-424 b(4)",
    Item.DPM_SALARY: "H-424 b(5)",
    Item.FLO: "H-424 b(6)",
    Item.GFS: "H-424 b(7)",
    Item.FOB_RSA: "H-424 b(8)",
    Item.FSN_SEPARATION: "H-424 b(9)",
    Item.GITM: "H-424 b(10)",
    Item.OVERSEAS_SCHOOLS: "H-424 b(11)",
    Item.LGP_VEHICLES: "H-424 b(12)",
    Item.ISC_NONSALARY: "H-424 b(13)",
    Item.ISC_SALARY: "H-424 b(14)",
    Item.IWG_CHAIR: "H-424 b(15)",
    Item.MEDEVAC: "H-424 b(16)",
    Item.MED: "H-424 b(17)",
    Item.PAT_ADJ: "H-424 b(18)",
    Item.OTHER: "H-424 b(19)",
    Item.TDY: "H-363.1-6 c(5)",
}

# Each item as H-424 b names it (and H-363.1-6 c(5) the TDY invoices), for the pages and files people read.
ITEM_NAME: dict[Item, str] = {
    Item.AMSAL_ADJ: "American salary cost adjustment",
    Item.SDT: "APO/FPO/DPO second destination transportation",
    Item.CF_REPLENISHMENT: "Contingency fund replenishment",
    Item.DPM: "Diplomatic pouch and mail",
    Item.DPM_SALARY: "Diplomatic pouch and mail salary costs",
    Item.FLO: "Family Liaison Office program",
    Item.GFS: "Global Financial Services",
    Item.FOB_RSA: "FOBs/RSA tokens",
    Item.FSN_SEPARATION: "FSN Separation Liability Trust Fund",
    Item.GITM: "Global Information Technology Modernization",
    Item.OVERSEAS_SCHOOLS: "Grants for Overseas Schools",
    Item.LGP_VEHICLES: "Local Guard Program vehicles",
    Item.ISC_NONSALARY: "ICASS Service Center non-salary costs",
    Item.ISC_SALARY: "ICASS Service Center salary costs",
    Item.IWG_CHAIR: "ICASS Working Group chair contract",
    Item.MEDEVAC: "Medevac redistribution",
    Item.MED: "Bureau of Medical Services",
    Item.PAT_ADJ: "Post assignment travel cost adjustment",
    Item.OTHER: "Other centrally budgeted costs",
    Item.TDY: "TDY invoices issued",
}


@dataclass(frozen=True, slots=True)
class World:
    fiscal_year: int
    stage: Stage
    amsal_target: int  # cents
    pat_target: int  # cents
    dpm_pouch_percent: Decimal  # the pouch-only part of DPM costs (A/LM's split); the rest is APO/FPO/DPO
    fob_rsa_fee: int = 0  # cents per token (FOB/RSA, H-424 b(8))
    tdy_as_of: dt.date | None = None  # the day the posts' TDY invoices are judged on; None: today
    source: Source = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class PostProfile:
    post: str
    mail: Mail
    separation_pay: bool
    psa_guards: bool
    medevac: bool
    source: Source = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class ItemLine:
    """One row of items.csv: an amount of a below-the-line item, and the fields that item needs."""

    item: Item
    amount: int  # cents; negative only for OTHER
    post: str = ""
    funding: str = ""
    agency: str = ""
    cost_center: str = ""
    note: str = ""
    source: Source = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class AgencyFigure:
    """An agency's number for a basis given directly: overseas school dependents, FOB/RSA tokens."""

    agency: str
    value: Decimal
    source: Source = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class GfsWorkload:
    """Workload that CGFS adds for agencies that send their vouchers directly (H-424 b(7) NOTE 2)."""

    cost_center: str
    agency: str
    count: Decimal
    source: Source = field(default=NOWHERE, compare=False)


@dataclass(frozen=True, slots=True)
class TdyCharge:
    """An issued TDY invoice of a post, charged to its agency as is (H-363.1-6 c(5))."""

    post: str
    invoice: str
    agency: str
    amount: int  # cents
    source: Source = field(default=NOWHERE, compare=False)
    # Why it is billed in this world's year and not its own, in words ("" when its own): a stored world bills the
    # invoices headquarters approved, one submitted late rolling to the next year (H-363.1-6 c(7)).
    said: str = ""
