"""The Content-Disposition of every file the workspace hands out (issue 16 §3, download names).

A file's name is made of codes from the data (post, agency), and a code must not be able to rewrite the header:
an agency `A";filename*=UTF-8''x.html;a="` once made Chromium save an invoice as x.html. So the name is never
put in the header as it is: `filename` gets a plain ASCII copy (letters, digits, dot, hyphen, underscore; every
other character an underscore), and `filename*` the exact name, UTF-8 and percent-encoded (RFC 6266 with
RFC 8187's encoding), which browsers prefer and which no character of the name can break out of. Written
here rather than taken from a library: Starlette builds this header only inside FileResponse, for files on
disk, and with `filename*` alone for a name that needs quoting."""

from __future__ import annotations

import re
from urllib.parse import quote

UNSAFE_IN_FALLBACK = re.compile(r"[^A-Za-z0-9._-]")


def attachment(name: str) -> str:
    """The Content-Disposition header value that offers the answer as a download named `name`."""
    # A leading dot would make a hidden file (and ".." a name some tools read as a folder).
    fallback = UNSAFE_IN_FALLBACK.sub("_", name).lstrip(".") or "download"
    # quote() leaves only letters, digits and "_.-~" as they are: all of them RFC 8187 attr-chars.
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
