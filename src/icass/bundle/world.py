"""Reading a world folder (docs/world.md): world.toml, posts.csv, items.csv, dependents.csv, tokens.csv,
gfs_workload.csv, and the post bundles under posts/. Every problem is collected; the post bundles
themselves are run through the pipeline by icass.runs.world.run_world."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from icass.bundle import tables as t
from icass.bundle.format import WORLD_FILE_OF
from icass.bundle.load import one_of, optional_date, read_file, read_targets
from icass.diagnostics import Diagnostic, error, has_errors
from icass.model import CostFactor, Source, Target
from icass.model.world import (
    FINANCIAL_MANAGEMENT,
    ITEM_SECTION,
    AgencyFigure,
    GfsWorkload,
    Item,
    ItemLine,
    PostProfile,
    Stage,
    World,
)
from icass.money import parse_decimal

# Which items.csv fields each item needs; every other field stays empty. (None: the item has no row.)
NEEDS: dict[Item, tuple[str, ...] | None] = {
    Item.GFS: ("cost_center",),  # funding AMSAL, PAT or empty
    Item.CF_REPLENISHMENT: ("post", "funding"),
    Item.OTHER: ("agency",),
    Item.AMSAL_ADJ: None,  # the ISC calculates it
    Item.PAT_ADJ: None,
    Item.FOB_RSA: None,  # fob_rsa_fee x tokens
    Item.TDY: None,  # the issued invoices of the tdy/ bundles
}
WHY_NO_ROW = {
    Item.AMSAL_ADJ: "the ISC calculates it",
    Item.PAT_ADJ: "the ISC calculates it",
    Item.FOB_RSA: "it is fob_rsa_fee x tokens",
    Item.TDY: "it is the issued TDY invoices of the bundles in tdy/",
}
FIELDS = ("post", "funding", "agency", "cost_center")


@dataclass(frozen=True)
class WorldFiles:
    world: World
    post_folders: tuple[Path, ...]
    profiles: tuple[PostProfile, ...]
    items: tuple[ItemLine, ...]
    dependents: tuple[AgencyFigure, ...]
    tokens: tuple[AgencyFigure, ...]
    gfs_workload: tuple[GfsWorkload, ...]
    tdy_folders: tuple[Path, ...] = ()  # prior-year final bundles whose visits the world bills (docs/tdy.md)
    targets: tuple[tuple[str, Target], ...] = ()  # each post's targets (targets.csv), by post code
    # The ISC's AmSal and PAT factors (cost_factors.csv): the posts take theirs from it; None without the file.
    cost_factors: tuple[CostFactor, ...] | None = None


def _money(value: Any) -> int:
    """Dollars as whole cents, exactly: a TOML string or number, read without a float."""
    text = str(value)
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise ValueError(f"{value!r} is not an amount")
    amount = parse_decimal(text)
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"{text!r} has more than two decimal places")
    if amount < 0:
        raise ValueError(f"{text!r} is negative")
    return int(amount * 100)


def _read_world(folder: Path) -> tuple[World | None, list[Diagnostic]]:
    table, unreadable = t.read_toml_table(folder, "world.toml", "world")  # money never through a float
    if table is None:
        return None, unreadable
    return world_settings(table)


def world_settings(table: dict[str, Any]) -> tuple[World | None, list[Diagnostic]]:
    """world.toml's [world] table, as read (TOML floats as Decimals), checked."""
    source = Source("world.toml")
    found: list[Diagnostic] = []

    def field(name: str, parse: Any, default: Any = None) -> Any:
        if name not in table:
            if default is not None:
                return default
            found.append(error(source, "is missing", field=f"world.{name}"))
            return None
        try:
            return parse(table[name])
        except (ValueError, TypeError) as why:
            found.append(error(source, str(why), field=f"world.{name}"))
            return None

    def year(value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not 1990 <= value <= 2200:
            raise ValueError(f"{value!r} is not a fiscal year such as 2027")
        return value

    def percent(value: Any) -> Decimal:
        number = parse_decimal(str(value))
        if not 0 <= number <= 100:
            raise ValueError(f"{value!r} is not a percent from 0 to 100")
        return number

    values = {
        "fiscal_year": field("fiscal_year", year),
        "stage": field("stage", lambda v: one_of(Stage, "stage")(str(v))),
        "amsal_target": field("amsal_target", _money),
        "pat_target": field("pat_target", _money),
        "dpm_pouch_percent": field("dpm_pouch_percent", percent),
        "fob_rsa_fee": field("fob_rsa_fee", _money, default=0),
    }
    if "tdy_as_of" in table:
        values["tdy_as_of"] = field("tdy_as_of", _date)
    if found:
        return None, found
    return World(**values, source=source), []


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    parsed = optional_date(str(value)) if isinstance(value, str) else None
    if parsed is None:
        raise ValueError(f"{value!r} is not a date such as 2027-09-15")
    return parsed


def _item(row: t.Row) -> tuple[ItemLine | None, list[Diagnostic]]:
    v, source = row.values, row.source
    item: Item = v["item"]
    section = ITEM_SECTION[item]
    needs = NEEDS.get(item, ())
    if needs is None:
        why = WHY_NO_ROW[item]
        return None, [error(source, f"{item} takes no row in items.csv: {why}", field="item", section=section)]
    found = []
    if v["amount"] < 0 and item != Item.OTHER:
        found.append(error(source, "only an OTHER item may be negative", field="amount", section=section))
    wanted = set(needs) | ({"funding"} if item == Item.GFS else set())
    for name in FIELDS:
        if name in needs and not v[name]:
            found.append(error(source, f"{item} names its {name}", field=name, section=section))
        elif name not in wanted and v[name]:
            found.append(error(source, f"{item} takes no {name}: leave it empty", field=name, section=section))
    if item == Item.GFS and v["cost_center"] and v["cost_center"] not in FINANCIAL_MANAGEMENT:
        message = f"a GFS row names a financial management cost center ({', '.join(FINANCIAL_MANAGEMENT)})"
        found.append(error(source, message, field="cost_center", section=section))
    if item == Item.GFS and v["funding"] not in ("", "AMSAL", "PAT"):
        found.append(error(source, "a GFS row's funding is AMSAL, PAT or empty", field="funding", section=section))
    if item == Item.CF_REPLENISHMENT and v["funding"] and v["funding"] not in ("RB", "OBO", "LGP"):
        message = "a CF_REPLENISHMENT row's funding is RB, OBO or LGP"
        found.append(error(source, message, field="funding", section=section))
    if found:
        return None, found
    return ItemLine(item, v["amount"], v["post"], v["funding"], v["agency"], v["cost_center"], v["note"], source), []


def _figures(folder: t.CellSource, name: str, column: str) -> tuple[tuple[AgencyFigure, ...], list[Diagnostic]]:
    if not folder.has(name):
        return (), []
    table, problems = read_file(folder, name)
    rows = table.rows()
    return tuple(AgencyFigure(r.values["agency"], r.values[column], r.source) for r in rows), problems


def read_world_files(folder: str | Path) -> tuple[WorldFiles | None, list[Diagnostic]]:
    root = Path(folder)
    if not root.is_dir():
        return None, [error(Source(str(root)), "is not a world directory")]
    world, problems = _read_world(root)
    posts_dir = root / "posts"
    folders: tuple[Path, ...] = ()
    if not posts_dir.is_dir():
        problems.append(error(Source("posts"), "is not a directory of post bundles"))
    else:
        folders = tuple(sorted(p for p in posts_dir.iterdir() if p.is_dir()))
        if not folders:
            problems.append(error(Source("posts"), "holds no post bundle"))
    tdy = tuple(sorted(p for p in (root / "tdy").iterdir() if p.is_dir())) if (root / "tdy").is_dir() else ()
    return read_world_tables(t.Folder(root), world, problems, folders, tdy)


def read_world_tables(
    root: t.CellSource,
    world: World | None,
    problems: list[Diagnostic],
    folders: tuple[Path, ...],
    tdy_folders: tuple[Path, ...],
) -> tuple[WorldFiles | None, list[Diagnostic]]:
    """The world's CSV files read from `root` (its folder, or the database's rows of it: icass.store.worlds),
    with world.toml's settings as read and the problems found so far."""
    problems = list(problems)
    profiles, more = read_file(root, "posts.csv")
    profile_rows = profiles.rows()
    problems += more
    item_rows: list[t.Row] = []
    if root.has("items.csv"):
        items_read, more = read_file(root, "items.csv")
        item_rows = items_read.rows()
        problems += more
    items = []
    for row in item_rows:
        line, more = _item(row)
        problems += more
        if line is not None:
            items.append(line)
    dependents, more = _figures(root, "dependents.csv", "dependents")
    problems += more
    tokens, more = _figures(root, "tokens.csv", "tokens")
    problems += more
    gfs_rows: list[t.Row] = []
    if root.has("gfs_workload.csv"):
        gfs_read, more = read_file(root, "gfs_workload.csv")
        gfs_rows = gfs_read.rows()
        problems += more
    targets, more = read_targets(root, WORLD_FILE_OF["targets.csv"])
    problems += more
    factors: tuple[CostFactor, ...] | None = None
    if root.has("cost_factors.csv"):
        read, more = read_file(root, "cost_factors.csv", WORLD_FILE_OF["cost_factors.csv"])
        problems += more
        factors = tuple(CostFactor(**r.values, source=r.source) for r in read.rows()) if not more else ()
    if world is None or has_errors(problems):
        return None, problems
    return (
        WorldFiles(
            world,
            folders,
            tuple(PostProfile(**r.values, source=r.source) for r in profile_rows),
            tuple(items),
            dependents,
            tokens,
            tuple(GfsWorkload(**r.values, source=r.source) for r in gfs_rows),
            tdy_folders,
            targets,
            factors,
        ),
        problems,
    )
