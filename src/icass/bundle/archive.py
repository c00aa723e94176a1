"""A zip file of a bundle or world folder, as the workspace receives it for an import (docs/workspace.md,
"Imports"). It is checked before any of it is unpacked, with the workbook reader's limits
(icass.bundle.workbook: a zip bomb is refused unread) and a bound on all its members together, and every name
in it must stay inside the folder it is unpacked into: no absolute path, no `..`, no drive, no backslash, no
symbolic link, no name given twice. Every bad name is reported, not only the first."""

from __future__ import annotations

import shutil
import stat
import zipfile
from pathlib import Path, PurePosixPath

from icass.bundle.tables import MAX_FILE_BYTES
from icass.bundle.workbook import MAX_RATIO, MAX_WORKBOOK_BYTES, RATIO_FLOOR
from icass.diagnostics import Diagnostic, error
from icass.model import Source

MAX_ARCHIVE_BYTES = MAX_WORKBOOK_BYTES  # the file as sent
MAX_MEMBERS = 20_000  # a world of 250 posts has some 5,000 files
# All members together, unpacked: a world of 250 posts unpacks to some 30 MiB; a zip of small members that
# each pack well (240 of 1 MiB of zeros in 290 KB) stays under the ratio check and is caught here.
MAX_ARCHIVE_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_MEMBER_BYTES = MAX_FILE_BYTES  # one member: no bundle file may be larger (icass.bundle.tables)
IGNORED = ("__MACOSX/",)  # what macOS's Finder adds to every zip it makes: not part of the folder


def check_archive(path: Path, name: str) -> list[Diagnostic]:
    """Why the zip at `path` (sent as `name`) is not to be unpacked: too large, not a zip, a name that would
    leave the folder, a symbolic link, encrypted members, or members that would unpack too large (a zip
    bomb). Empty when it may be unpacked."""
    where = Source(name)
    size = path.stat().st_size
    if size > MAX_ARCHIVE_BYTES:
        limit = f"{MAX_ARCHIVE_BYTES:,} bytes ({MAX_ARCHIVE_BYTES // 2**20} MiB)"
        return [error(where, f"is {size:,} bytes; a zip may be at most {limit}: refused before reading")]
    try:
        if not zipfile.is_zipfile(path):
            return [error(where, "is not a zip file")]
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (OSError, zipfile.BadZipFile, ValueError, NotImplementedError) as problem:
        return [error(where, f"its zip directory cannot be read ({problem})")]
    if len(members) > MAX_MEMBERS:
        return [error(where, f"it has {len(members):,} members; a zip may have at most {MAX_MEMBERS:,}")]
    found = [e for m in members for e in _bad_name(m, where)]
    found += _twice(members, where)
    total = sum(m.file_size for m in members)
    if total > MAX_ARCHIVE_UNPACKED_BYTES:
        limit = f"{MAX_ARCHIVE_UNPACKED_BYTES:,} ({MAX_ARCHIVE_UNPACKED_BYTES // 2**20} MiB)"
        found.append(
            error(where, f"would unpack to {total:,} bytes; at most {limit}: refused unread, as a possible zip bomb")
        )
    for m in members:
        if m.file_size > MAX_MEMBER_BYTES:
            limit = f"{MAX_MEMBER_BYTES:,} bytes ({MAX_MEMBER_BYTES // 2**20} MiB)"
            found.append(
                error(where, f"{m.filename!r} would unpack to {m.file_size:,} bytes; a file may be at most {limit}")
            )
        elif m.file_size > RATIO_FLOOR and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            ratio = m.file_size // max(m.compress_size, 1)
            message = (
                f"{m.filename} would unpack from {m.compress_size:,} to {m.file_size:,} bytes ({ratio:,} to 1; at "
                f"most {MAX_RATIO} to 1): refused unread, as a possible zip bomb"
            )
            found.append(error(where, message))
    return found


def _twice(members: list[zipfile.ZipInfo], where: Source) -> list[Diagnostic]:
    """Names that would unpack to one path: a member given twice (the second would overwrite or fail on the
    first), or a file that another member's path needs as a folder."""
    files: set[PurePosixPath] = set()
    folders: set[PurePosixPath] = set()
    found: list[Diagnostic] = []
    for m in members:
        if m.filename.startswith(IGNORED):
            continue
        path = PurePosixPath(m.filename)  # "a//b" and "./a/b" name the same file as "a/b"
        folders.update(path.parents)
        if m.is_dir():
            folders.add(path)
        elif path in files:
            found.append(error(where, f"{m.filename!r} is in the zip twice: refused, nothing unpacked"))
        else:
            files.add(path)
    found += [error(where, f"'{f}' is a file and a folder: refused, nothing unpacked") for f in sorted(files & folders)]
    return found


def _bad_name(member: zipfile.ZipInfo, where: Source) -> list[Diagnostic]:
    name = member.filename
    parts = PurePosixPath(name).parts
    why = ""
    if "\\" in name or "\x00" in name:
        why = "has a backslash or a NUL in its name"
    elif name.startswith("/") or (parts and ":" in parts[0]):
        why = "is an absolute path"
    elif ".." in parts:
        why = "climbs out of the folder (..)"
    elif stat.S_ISLNK(member.external_attr >> 16):
        why = "is a symbolic link"
    elif member.flag_bits & 0x1:
        why = "is encrypted"
    return [error(where, f"{name!r} {why}: refused, nothing unpacked")] if why else []


def unpack(path: Path, target: Path) -> None:
    """Unpack the zip at `path`, checked by check_archive, into the folder `target` (new or empty). Each member
    is written by the size its directory declares (zipfile stops there and checks the CRC)."""
    target.mkdir(parents=True, exist_ok=True)
    root = target.resolve()
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            if member.filename.startswith(IGNORED):
                continue
            destination = (root / member.filename).resolve()
            if not destination.is_relative_to(root):  # check_archive refused these; never write outside
                raise ValueError(f"{member.filename}: outside the folder")
            if member.is_dir():
                destination.mkdir(parents=True, exist_ok=True)
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(member) as source, destination.open("xb") as written:
                shutil.copyfileobj(source, written, 1024 * 1024)


def folder_of(target: Path, marks: tuple[str, ...]) -> Path | None:
    """The folder an unpacked zip holds: `target` itself when it has one of `marks` (world.toml, post.toml),
    else its only folder when that has one (a zip made of the folder rather than of its files); None when
    neither."""
    if any((target / mark).is_file() for mark in marks):
        return target
    inner = [p for p in target.iterdir() if not p.name.startswith(IGNORED[0].rstrip("/"))]
    if len(inner) == 1 and inner[0].is_dir() and any((inner[0] / mark).is_file() for mark in marks):
        return inner[0]
    return None
