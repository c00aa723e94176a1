"""`icass import WORLD` and `icass export --world`: a world folder into the database and back out (docs/store.md,
"Worlds"). The commands themselves are icass.cli.store's; this is their world half."""

from __future__ import annotations

from pathlib import Path

from icass.cli.app import _err, _fail
from icass.cli.imports import command_line_user, report


def import_world_folder(path: Path, data: Path | None, replace: bool) -> None:
    """Store the world in `path` and every bundle in it, checked as `icass world` checks it; on any error every
    problem is printed and nothing is stored."""
    from icass.store.database import database_url, open_database
    from icass.store.worlds import import_world

    engine = open_database(database_url(data))
    try:
        stored, problems = import_world(engine, path, replace, user=command_line_user())
    finally:
        engine.dispose()
    report(problems, stored is not None)
    assert stored is not None
    err = _err()
    tdy = f", {len(stored.tdy)} prior-year TDY bundle(s)" if stored.tdy else ""
    err.print(
        f"{path}: stored the world of fiscal year {stored.fiscal_year} ({len(stored.files)} files, "
        f"{len(stored.posts)} posts{tdy})",
        markup=False,
    )


def export_world_folder(target: Path, fiscal_year: int, data: Path | None) -> None:
    """Write the stored world of `fiscal_year` into `target`, a new (or empty) folder."""
    from icass.store.bundles import NotStored
    from icass.store.database import database_url, open_database
    from icass.store.worlds import export_world

    engine = open_database(database_url(data))
    try:
        written = export_world(engine, fiscal_year, target)
    except NotStored as e:
        _fail(str(e))
    finally:
        engine.dispose()
    message = f"{target}: wrote the world of fiscal year {fiscal_year} ({len(written)} files)"
    _err().print(message, markup=False)
