"""`icass import`, `icass export` and `icass template`: bundles and Excel workbooks into the database and back
out (docs/store.md, docs/workbook.md)."""

from __future__ import annotations

from pathlib import Path

import click

from icass.cli.app import METHODOLOGIES, _err, _fail
from icass.cli.imports import command_line_user, report

data_option = click.option(
    "--data",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="The folder of the embedded SQLite database (default ./data); ICASS_DATABASE_URL, when set, names the "
    "database instead.",
)


@click.command("import")
@click.argument("path", type=click.Path(path_type=Path), metavar="BUNDLE_BOOK_OR_WORLD")
@data_option
@click.option(
    "--replace",
    is_flag=True,
    help="Replace the post's (or the world's and its posts') fiscal year when stored already.",
)
def import_command(path: Path, data: Path | None, replace: bool) -> None:
    """Store a post bundle, or an Excel workbook of one (BOOK.xlsx), checked as `icass validate` and `icass tdy`
    check it, or a world folder (it has a world.toml) with every bundle in it, checked as `icass world` checks
    it: on any error, every problem is printed and nothing is stored."""
    from icass.store.bundles import import_bundle, is_workbook
    from icass.store.database import database_url, open_database
    from icass.store.workload_approvals import lock_refusal

    if not is_workbook(path) and (path / "world.toml").exists():
        from icass.cli.worlds import import_world_folder

        import_world_folder(path, data, replace)
        return
    engine, user = open_database(database_url(data)), command_line_user()
    if is_workbook(path):
        from icass.store.workbooks import import_workbook

        stored, problems = import_workbook(engine, path, replace, user=user)
    else:
        stored, problems = import_bundle(engine, path, replace, user=user, keeps=lock_refusal)
    report(problems, stored is not None)
    assert stored is not None
    err = _err()
    kind = "sheets" if is_workbook(path) else "files"
    message = f"{path}: stored post {stored.code}, fiscal year {stored.fiscal_year} ({len(stored.files)} {kind})"
    err.print(message, markup=False)


@click.command("export")
@click.argument("post", required=False, metavar="[POST]")
@click.option("--fiscal-year", type=int, required=True, help="The post's (or the world's) fiscal year, e.g. 2027.")
@click.argument("target", type=click.Path(path_type=Path), required=False, metavar="DIR_OR_BOOK")
@click.option(
    "--world",
    "world",
    is_flag=True,
    help="Export the world of the fiscal year: icass export --world --fiscal-year N DIR.",
)
@click.option(
    "--version",
    "version",
    type=click.IntRange(min=1),
    default=None,
    help="Export version V of the post (its frozen files, byte for byte) instead of the post as it is now.",
)
@data_option
def export_command(
    post: str | None, fiscal_year: int, target: Path | None, world: bool, version: int | None, data: Path | None
) -> None:
    """Write a post's bundle from the database into DIR, a new (or empty) folder, file by file as it was
    imported, or, when the target ends in .xlsx, as a new Excel workbook (docs/workbook.md); with --version V,
    the files of version V of the post as they were frozen (docs/workspace.md "Versions and their path"); with
    --world, the world of the fiscal year (world.toml, its CSV files, every bundle of posts/ and tdy/)."""
    from icass.store.bundles import NotStored, export_bundle
    from icass.store.database import database_url, open_database

    if world:
        if post is None or target is not None or version is not None:
            raise click.UsageError("--world takes DIR only: icass export --world --fiscal-year N DIR")
        from icass.cli.worlds import export_world_folder

        export_world_folder(Path(post), fiscal_year, data)
        return
    if post is None or target is None:
        raise click.UsageError("Missing argument 'DIR': icass export POST --fiscal-year N DIR")
    engine = open_database(database_url(data))
    try:
        if version is not None:
            if target.suffix.lower() == ".xlsx":
                raise click.UsageError("--version writes a folder: icass export POST --fiscal-year N --version V DIR")
            from icass.store.versions import export_version

            written, sha256 = export_version(engine, post, fiscal_year, version, target)
            done = f"{target}: wrote version {version} of post {post}, fiscal year {fiscal_year} ({len(written)} files)"
            _err().print(f"{done}, SHA-256 {sha256}", markup=False)
            return
        if target.suffix.lower() == ".xlsx":
            from icass.store.workbooks import export_workbook

            export_workbook(engine, post, fiscal_year, target)
            _err().print(f"{target}: wrote post {post}, fiscal year {fiscal_year}", markup=False)
            return
        written = export_bundle(engine, post, fiscal_year, target)
    except NotStored as e:
        _fail(str(e))
    _err().print(f"{target}: wrote post {post}, fiscal year {fiscal_year} ({len(written)} files)", markup=False)


@click.command("template")
@click.argument("target", type=click.Path(path_type=Path), metavar="BOOK.xlsx")
@click.option(
    "--methodology",
    type=click.Choice(METHODOLOGIES),
    default="standard",
    show_default=True,
    help="Whose cost centers the drop-down lists offer.",
)
@click.option("--records", is_flag=True, help="Add the source record sheets (people, housing, activity...).")
@click.option("--tdy", is_flag=True, help="Add the TDY sheets (visits, services, the policy).")
def template_command(target: Path, methodology: str, records: bool, tdy: bool) -> None:
    """Write an empty post workbook to fill in: every sheet's header, drop-down lists for the codes, and an
    instructions sheet (docs/workbook.md)."""
    from icass.bundle.workbook_writer import write_template

    if target.suffix.lower() != ".xlsx":
        _fail(f"{target}: a workbook's name ends in .xlsx")
    if target.exists() or target.is_symlink():
        _fail(f"{target}: exists already")
    if not target.parent.is_dir():
        _fail(f"{target}: the folder {target.parent} does not exist")
    write_template(target, methodology, records, tdy)
    _err().print(f"{target}: wrote the {methodology} template", markup=False)
