"""The demonstration workspace (issue 8 §5): the sample posts, the sample world and one account per role.
`fmo` is the sample Standard post's FMO; `committee` and `hq` belong to the first agency of its agencies.csv
other than 1900.0 (State's own programs) and 1901.0 (ICASS itself).

The sample world (examples/world) holds bundles of the same posts and year as three samples (KVR, PSL and
ALD of 2027; their files differ only in post.toml's stage and the samples' tdy/ folders). The database keeps
one bundle of a post and year, and a stored world names its posts by code and year, so the world's KVR is the
stored KVR: the samples are stored first and the world takes them as they are (`keep_stored`). Its figures
are the same to the cent as `icass world examples/world` (a post's stage and its own tdy/ folder do not enter
the consolidation; tests/test_api_world.py checks it)."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import Engine, select, update

from icass.diagnostics import Diagnostic
from icass.store.accounts import Grant, create_account, hash_password
from icass.store.bundles import import_bundle
from icass.store.schema import accounts
from icass.store.worlds import import_world, stored_world_years

STANDARD = "standard-post"
SAMPLES = (STANDARD, "lite-post", "consulate")
WORLD = "world"
USERS = ("admin", "fmo", "committee", "hq")
NOT_AN_AGENCY_REPRESENTATIVE = ("1900.0", "1901.0")


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


def load_demo(engine: Engine, examples: Path, password: str) -> list[Diagnostic]:
    """Store the sample posts (those not stored yet), the sample world (when its year is not stored yet; its
    posts the database holds already are taken as stored) and the demo accounts: new ones made, existing ones
    given this password (a demo's password is the one it printed last)."""
    problems: list[Diagnostic] = []
    for name in SAMPLES:
        stored, found = import_bundle(engine, examples / name)
        problems += [d for d in found if stored is None]
    if _fiscal_year(examples / WORLD) not in stored_world_years(engine):
        world, found = import_world(engine, examples / WORLD, keep_stored=True)
        problems += [d for d in found if world is None]
    with engine.begin() as connection:
        existing = set(connection.execute(select(accounts.c.username)).scalars())
        for username, grants in demo_grants(examples).items():
            if username not in existing:
                create_account(connection, username, password, grants)
            else:
                connection.execute(
                    update(accounts)
                    .where(accounts.c.username == username)
                    .values(password_hash=hash_password(password))
                )
    return problems
