"""What a typed cell may hold: the one shape of every code (post, agency, cost center, position, grade, SOC,
funding, person, visit...) and the bound on free text (names, descriptions, notes). Every way data enters
(a bundle folder or zip, a workbook, the API and the pages) checks its cells against these, so that nothing
stored can be markup in a page or a formula in a spreadsheet, and no cell can fill the disk.

A code starts with a letter or a digit: never with `=`, `+`, `-` or `@`, which a spreadsheet takes for a
formula, nor with a tab or a carriage return. It holds no `<`, `>`, `&` or quote (nothing HTML or a header
reads) and no `:` (a workload line's id joins codes with it). Real codes fit with room to spare: `1931.0`,
`6150`, `FS-01`, `FP-06 (EFM)`, an LE grade `Local 12/B`, `GSO_BASKET_2`. A post's code is narrower: it is a
part of the pages' paths (no `/`, no space) and of an account's roles (at most 16 characters), e.g. `KVR`.
"""

from __future__ import annotations

import re

MAX_CODE_CHARS = 64
MAX_TEXT_CHARS = 500
CODE_SHAPE = rf"[A-Za-z0-9][A-Za-z0-9 ._()/-]{{0,{MAX_CODE_CHARS - 1}}}"
CODE = re.compile(CODE_SHAPE)
CODE_RULE = (
    f"a code is 1 to {MAX_CODE_CHARS} letters, digits, spaces, dots, hyphens, underscores, slashes or "
    "parentheses, starting with a letter or a digit"
)
MAX_POST_CODE_CHARS = 16
POST_CODE_SHAPE = rf"[A-Za-z0-9][A-Za-z0-9._-]{{0,{MAX_POST_CODE_CHARS - 1}}}"
POST_CODE = re.compile(POST_CODE_SHAPE)
POST_CODE_RULE = (
    f"a post's code is 1 to {MAX_POST_CODE_CHARS} letters, digits, dots, hyphens or underscores, starting with a "
    "letter or a digit"
)


def code_problem(value: str) -> str | None:
    """Why `value` (already stripped, not empty) is not a code, or None when it is one."""
    if CODE.fullmatch(value):
        return None
    return f"{_shown(value)} is not a code: {CODE_RULE}"


def post_code_problem(value: str) -> str | None:
    """Why `value` (already stripped, not empty) is not a post's code, or None when it is one."""
    if POST_CODE.fullmatch(value):
        return None
    return f"{_shown(value)} is not a post's code: {POST_CODE_RULE}"


def _shown(value: str) -> str:
    return repr(value if len(value) <= MAX_CODE_CHARS else value[:MAX_CODE_CHARS] + "...")


def text_problem(value: str) -> str | None:
    """Why `value` is too long for a free-text cell, or None."""
    if len(value) <= MAX_TEXT_CHARS:
        return None
    return f"is {len(value):,} characters long; a text may be at most {MAX_TEXT_CHARS}"
