"""The SHA-256 of a whole bundle (issue 20 §1: a version's content is frozen as its bundle, with its hash).

The hash is that of a manifest, so anyone can check a folder `icass export` wrote with standard tools: one line
per file, `<the file's SHA-256, hex>  <its path in the bundle, with />` and a line feed, the lines sorted by
path (as bytes in UTF-8); the bundle's hash is the SHA-256 of those lines in UTF-8. That is what
`cd DIR && find . -type f -printf '%P\\n' | LC_ALL=C sort | xargs sha256sum | sha256sum` prints."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path


def manifest(files: Mapping[str, bytes]) -> str:
    """Each file's SHA-256 and path, one line each, sorted by path."""
    ordered = sorted(files, key=lambda name: name.encode("utf-8"))
    return "".join(f"{hashlib.sha256(files[name]).hexdigest()}  {name}\n" for name in ordered)


def bundle_sha256(files: Mapping[str, bytes]) -> str:
    return hashlib.sha256(manifest(files).encode("utf-8")).hexdigest()


def folder_files(folder: Path) -> dict[str, bytes]:
    """Every file under `folder`, by its path in it: what bundle_sha256 hashes of a folder on disk."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
