"""What every `icass import` shares, of a post (icass.cli.store) or of a world (icass.cli.worlds): who the record
names, and how the import's problems are printed. Its own module so that neither command half imports the other."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from icass.cli.app import INPUT_ERROR, _err

if TYPE_CHECKING:
    from icass.diagnostics import Diagnostic


def command_line_user() -> str:
    """Who the record names for an import from the command line: the system account running it, marked as
    such (no workspace account signs in there)."""
    import getpass

    try:
        name = getpass.getuser()
    except (OSError, KeyError):  # no LOGNAME/USER and no entry in the password database (some containers)
        name = "unknown"
    return f"{name[:40]} (command line)"


def report(problems: list[Diagnostic], stored: bool) -> None:
    """Print an import's problems; when nothing was stored, say so and exit with the input-error status."""
    from icass.diagnostics import ERROR

    err = _err()
    for d in problems:
        err.print(str(d), style="red" if d.severity == ERROR else "yellow", markup=False)
    if not stored:
        errors = sum(d.severity == ERROR for d in problems)
        err.print(f"{errors} error(s): nothing was stored.", style="bold red", markup=False)
        raise click.exceptions.Exit(INPUT_ERROR)
