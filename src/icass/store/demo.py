"""The demonstration workspace (issue 8 §5): the sample posts, the sample world and one account per role.
`fmo` is the sample Standard post's FMO; `committee` and `hq` belong to the first agency of its agencies.csv
other than 1900.0 (State's own programs) and 1901.0 (ICASS itself).

The sample world (examples/world) holds bundles of the same posts and year as three samples (KVR, PSL and
ALD of 2027; their files differ only in post.toml's stage and the samples' tdy/ folders). The database keeps
one bundle of a post and year, and a stored world names its posts by code and year, so the world's KVR is the
stored KVR: the samples are stored first and the world takes them as they are (`keep_stored`). Its figures
are the same to the cent as `icass world examples/world` (a post's stage and its own tdy/ folder do not enter
the consolidation; tests/api/test_api_world.py checks it), but for the TDY item: the stored world bills the TDY
invoices headquarters approved (icass.store.tdy_path.billed_in_world), none at first."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from sqlalchemy import Engine, select

from icass.diagnostics import Diagnostic
from icass.store.accounts import Grant, create_account
from icass.store.bundles import import_bundle
from icass.store.schema import accounts, posts
from icass.store.worlds import import_world, stored_world_years

STANDARD = "standard-post"
SAMPLES = (STANDARD, "lite-post", "consulate")
WORLD = "world"
USERS = ("admin", "fmo", "committee", "hq")
NOT_AN_AGENCY_REPRESENTATIVE = ("1900.0", "1901.0")
SYSTEM = "system"  # who the record names for what the demo stores, as for the accounts it makes


def demo_agency(bundle: Path) -> str:
    with (bundle / "agencies.csv").open(encoding="utf-8", newline="") as handle:
        return next(row["code"] for row in csv.DictReader(handle) if row["code"] not in NOT_AN_AGENCY_REPRESENTATIVE)


def post_code(bundle: Path) -> str:
    import tomllib

    with (bundle / "post.toml").open("rb") as handle:
        return str(tomllib.load(handle)["post"]["code"])


def _fiscal_year(world: Path) -> int:
    import tomllib

    with (world / "world.toml").open("rb") as handle:
        return int(tomllib.load(handle)["world"]["fiscal_year"])


def demo_grants(examples: Path) -> dict[str, tuple[Grant, ...]]:
    standard = examples / STANDARD
    post, agency = post_code(standard), demo_agency(standard)
    return {
        "admin": (Grant("admin"),),
        "fmo": (Grant("fmo", post=post),),
        "committee": (Grant("committee", post=post, agency=agency),),
        "hq": (Grant("hq", agency=agency),),
    }


@dataclass(frozen=True)
class DemoLoad:
    """What `load_demo` did: the samples it stored, the accounts it made, and the problems of what it could not
    store. Nothing stored and no account made: the demo was loaded already."""

    stored: tuple[str, ...]
    accounts: tuple[str, ...]
    problems: tuple[Diagnostic, ...]

    @property
    def already_loaded(self) -> bool:
        return not self.stored and not self.accounts and not self.problems


def samples_folder() -> Path:
    """The sample posts and world: shipped inside the package (the wheel's icass/examples, pyproject.toml), or the
    checkout's examples/ when icass runs from its source tree (an editable install has no copy)."""
    shipped = Path(str(resources.files("icass"))) / "examples"
    return shipped if (shipped / STANDARD).is_dir() else Path(__file__).resolve().parents[3] / "examples"


def _is_stored(engine: Engine, bundle: Path) -> bool:
    import tomllib

    with (bundle / "post.toml").open("rb") as handle:
        post = tomllib.load(handle)["post"]
    with engine.connect() as connection:
        found = connection.execute(
            select(posts.c.id).where(posts.c.code == str(post["code"]), posts.c.fiscal_year == int(post["fiscal_year"]))
        ).first()
    return found is not None


def load_demo(engine: Engine, examples: Path, password: str) -> DemoLoad:
    """Store what is not stored yet of the demo: the sample posts, the sample world (its posts the database holds
    already are taken as stored) and the demo accounts, each new account with `password`. What is there is left
    as it is: a second `icass serve --demo` on the same data keeps the accounts and the password they were given
    (a person may have changed it since)."""
    stored: list[str] = []
    problems: list[Diagnostic] = []
    for name in SAMPLES:
        if _is_stored(engine, examples / name):
            continue
        post, found = import_bundle(engine, examples / name, user=SYSTEM)
        if post is None:
            problems += found
        else:
            stored.append(f"{post.code} {post.fiscal_year}")
    year = _fiscal_year(examples / WORLD)
    if year not in stored_world_years(engine):
        world, found = import_world(engine, examples / WORLD, keep_stored=True, user=SYSTEM)
        if world is None:
            problems += found
        else:
            stored.append(f"the world of {year}")
    made: list[str] = []
    with engine.begin() as connection:
        existing = set(connection.execute(select(accounts.c.username)).scalars())
        for username, grants in demo_grants(examples).items():
            if username not in existing:
                create_account(connection, username, password, grants)
                made.append(username)
    return DemoLoad(tuple(stored), tuple(made), tuple(problems))
