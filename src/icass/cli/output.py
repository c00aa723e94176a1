"""Where `icass distribute --out` may write, and how: every path is checked before anything is computed, and the
file is written beside the target then renamed over it, so a failure never leaves a half-written file behind."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class Refused(Exception):
    """The output cannot be written there; the message is `<path>: <reason>`, one line."""


def check_target(out: str, bundle: Path) -> Path:
    """The path to write, or Refused when writing it could lose data or could not end in a whole file."""
    if not out:
        raise Refused("'': the path is empty")
    path = Path(out)
    # Realpath never raises (a link loop stays unresolved): the comparison must not crash on a hostile path.
    if Path(os.path.realpath(path)).is_relative_to(os.path.realpath(bundle)):
        raise Refused(f"{out}: is inside the bundle {bundle} being read; write outside the bundle")
    mode = _mode(path, out)
    if mode is None:
        if not path.parent.is_dir():
            raise Refused(f"{out}: the folder {path.parent} does not exist")
    elif stat.S_ISLNK(mode):
        # Renaming onto a link replaces the link, not the file it points to: name that file instead.
        raise Refused(f"{out}: is a symbolic link; give the file it points to")
    elif stat.S_ISDIR(mode):
        raise Refused(f"{out}: is a directory; give a file name")
    elif not stat.S_ISREG(mode):
        # A device or FIFO would be replaced by a regular file: /dev/null would stop being /dev/null.
        raise Refused(f"{out}: is not a regular file (a device, FIFO or socket); give a new path or a regular file")
    return path


def _mode(path: Path, out: str) -> int | None:
    """The file type and permissions of the path itself (a link is not followed), or None when nothing is there."""
    try:
        return os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as e:
        raise Refused(f"{out}: {e.strerror}") from e


@contextmanager
def reserved(target: Path) -> Iterator[Path]:
    """Create the partial file beside the target now, so an unwritable folder is found before any work is done;
    remove it on the way out whatever happened (after a successful rename it is already gone)."""
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    except OSError as e:
        raise Refused(f"{target}: cannot create a file in {target.parent}: {e.strerror}") from e
    try:
        yield partial
    finally:
        partial.unlink(missing_ok=True)


def write_whole(partial: Path, target: Path, text: str) -> None:
    """Fill the partial file, then rename it over the target: a reader never sees a half-written file."""
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, target)
    except OSError as e:
        raise Refused(f"{target}: {e.strerror}") from e
