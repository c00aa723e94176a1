"""`icass import` and `icass export`: bundles into the database and back out (docs/store.md)."""

from __future__ import annotations

from pathlib import Path

import click

from icass.cli.app import INPUT_ERROR, _err, _fail

data_option = click.option(
    "--data",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="The folder of the embedded SQLite database (default ./data); ICASS_DATABASE_URL, when set, names the "
    "database instead.",
)


@click.command("import")
@click.argument("path", type=click.Path(path_type=Path), metavar="BUNDLE")
@data_option
@click.option("--replace", is_flag=True, help="Replace the post's fiscal year when the database holds it already.")
def import_command(path: Path, data: Path | None, replace: bool) -> None:
    """Store a post bundle in the database, checked as `icass validate` and `icass tdy` check it: on any error,
    every problem is printed and nothing is stored."""
    from icass.diagnostics import ERROR
    from icass.store.bundles import import_bundle
    from icass.store.database import database_url, open_database

    if (path / "world.toml").exists():
        _fail(f"{path}: a world: importing a world is not done yet; import each bundle of posts/ on its own")
    stored, problems = import_bundle(open_database(database_url(data)), path, replace)
    err = _err()
    for d in problems:
        err.print(str(d), style="red" if d.severity == ERROR else "yellow", markup=False)
    if stored is None:
        errors = sum(d.severity == ERROR for d in problems)
        err.print(f"{errors} error(s): nothing was stored.", style="bold red", markup=False)
        raise click.exceptions.Exit(INPUT_ERROR)
    err.print(f"{path}: stored post {stored.code}, fiscal year {stored.fiscal_year} ({len(stored.files)} files)")


@click.command("export")
@click.argument("post")
@click.option("--fiscal-year", type=int, required=True, help="The post's fiscal year, e.g. 2027.")
@click.argument("target", type=click.Path(path_type=Path), metavar="DIR")
@data_option
def export_command(post: str, fiscal_year: int, target: Path, data: Path | None) -> None:
    """Write a post's bundle from the database into DIR, a new (or empty) folder, file by file as it was
    imported."""
    from icass.store.bundles import NotStored, export_bundle
    from icass.store.database import database_url, open_database

    try:
        written = export_bundle(open_database(database_url(data)), post, fiscal_year, target)
    except NotStored as e:
        _fail(str(e))
    _err().print(f"{target}: wrote post {post}, fiscal year {fiscal_year} ({len(written)} files)", markup=False)
