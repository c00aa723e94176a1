"""The catalog's TOML files, parsed once and then read back in a compiled form.

Every command loads the catalog, and parsing its TOML with tomllib was a sizeable part of each run
(`icass distribute` on a large post has a speed aim: docs/benchmarks.md); reading the same documents back
with marshal costs almost nothing. The cache keeps each file's bytes beside its parse, and is used only
when every file reads exactly as it did then: an edited TOML file is parsed again and the cache rewritten. A
cache that is missing, unreadable, corrupt or written by another Python is ignored, and one that cannot be
written is simply not kept: the cache only ever saves time.

marshal, not pickle: the cache holds the plain documents (tables, arrays, strings, numbers, booleans) and the
catalog's records are made from them as from a fresh parse, so loading it runs no code and a change to the
records' classes never meets a stale object.

Where: `ICASS_CACHE_DIR` when set (empty: no cache), else `$XDG_CACHE_HOME/icass`, else `~/.cache/icass`.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
import tomllib
import zlib
from pathlib import Path
from typing import Any

FORMAT = 1  # bump when what a cache file holds changes shape


def cache_dir() -> Path | None:
    """The folder the caches are kept in, or None when caching is turned off."""
    configured = os.environ.get("ICASS_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "icass"


def load_documents(files: list[Path], name: str, folder: Path | None = None) -> list[dict[str, Any]]:
    """Each file's TOML document, in the order given: from the cache in `folder` (cache_dir() when None)
    when every file's bytes are those it was made from, else parsed (and the cache rewritten)."""
    contents = [(str(path), path.read_bytes()) for path in files]
    folder = cache_dir() if folder is None else folder
    if folder is None:
        return _parse(contents)
    # Several installs (checkouts, virtual environments) share one cache folder: one file per data folder.
    where = zlib.crc32("\n".join(p for p, _ in contents).encode("utf-8", "surrogateescape"))
    cache = folder / f"{name}-{where:08x}.marshal"
    key = (FORMAT, sys.version, contents)
    try:
        stored = marshal.loads(cache.read_bytes())
        if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == key:
            documents: list[dict[str, Any]] = stored[1]
            return documents
    except (OSError, ValueError, EOFError, TypeError):
        pass  # no cache yet, or not one this Python can read: parse
    documents = _parse(contents)
    _write(cache, key, documents)
    return documents


def _parse(contents: list[tuple[str, bytes]]) -> list[dict[str, Any]]:
    # Newlines as a file read in text mode has them (Path.read_text, which the catalog used before).
    texts = (data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n") for _, data in contents)
    return [tomllib.loads(text) for text in texts]


def _write(cache: Path, key: tuple[Any, ...], documents: list[dict[str, Any]]) -> None:
    """Written whole under a new name, then renamed over the old: a reader never sees half a file."""
    try:
        data = marshal.dumps((key, documents))
    except ValueError:
        return  # a value marshal cannot hold (a TOML date): no cache, the parse still serves
    partial = cache.with_name(f"{cache.name}.{os.getpid()}.partial")
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(data)
        os.replace(partial, cache)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink()
