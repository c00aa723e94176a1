"""Seams (issue 17 §6): a change's steps have a public home (icass.store.steps), so no module reaches into the
privates of the store's change modules; each percent is rounded by icass.money.percent_of."""

from __future__ import annotations

import ast
import re
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "src" / "icass"
GUARDED = ("icass.store.changes", "icass.store.steps", "icass.store.scenarios")


def _reached(path: Path) -> list[str]:
    """The private names of GUARDED modules that `path` imports or reaches as an attribute of them."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases: set[str] = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if f"{node.module}.{alias.name}" in GUARDED:
                    aliases.add(alias.asname or alias.name)
                elif node.module in GUARDED and alias.name.startswith("_"):
                    found.append(f"from {node.module} import {alias.name}")
    for node in ast.walk(tree):
        reaches = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
        if reaches and node.attr.startswith("_") and not node.attr.startswith("__"):  # type: ignore[attr-defined]
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")  # type: ignore[attr-defined]
    return found


def test_no_module_reaches_into_the_privates_of_the_change_modules():
    reached = {str(p.relative_to(SOURCE)): _reached(p) for p in sorted(SOURCE.rglob("*.py"))}
    assert {path: names for path, names in reached.items() if names} == {}


def test_the_seam_test_sees_a_private_reached(tmp_path):
    # The first round's scenarios module, as it was: it reached privates of the change module.
    probe = tmp_path / "scenarios.py"
    probe.write_text("from icass.store import audit, changes\nrow = changes._entered(c, p)\nchanges._lock(c, p)\n")
    assert _reached(probe) == ["line 2: changes._entered", "line 3: changes._lock"]


# A percent computed and rounded in place, `(100 * part / whole).quantize(...)`, beside icass.money.percent_of.
ROUNDED_PERCENT = re.compile(r"\(\s*(?:Decimal\(100\)|100)\s*\*[^()]*(?:\([^()]*\))?[^()]*\)\.quantize\(")


def test_each_percent_is_rounded_by_the_one_function():
    assert ROUNDED_PERCENT.search('share = (Decimal(100) * amount / post_total).quantize(Decimal("0.1"))')
    assert ROUNDED_PERCENT.search('percent = (100 * mine / total).quantize(Decimal("0.001"))')
    found = [
        f"{path.relative_to(SOURCE)}:{number}"
        for path in sorted(SOURCE.rglob("*.py"))
        if path.name != "money.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if ROUNDED_PERCENT.search(line)
    ]
    assert found == []
