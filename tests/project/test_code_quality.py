"""Lint, format and strict typing are part of the suite, so a green run means all three hold."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ["src", "tests", "benchmarks", "examples"]


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


@pytest.mark.parametrize(
    "command",
    [
        ("ruff", "check", *CHECKED),
        ("ruff", "format", "--check", *CHECKED),
    ],
    ids=["ruff-check", "ruff-format"],
)
def test_ruff(command):
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))
    assert ruff is not None, "ruff is a dev dependency"
    result = run(ruff, *command[1:])
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict():
    result = run(sys.executable, "-m", "mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def import_graph() -> dict[str, set[str]]:
    """Each icass module and the icass modules it imports: every import statement of its file, at the top, inside
    a function (a lazy import still ties the two modules) or under TYPE_CHECKING. `from a import b` is an import of
    the module a.b when there is one, else of a."""
    import ast

    source = ROOT / "src"
    files = {
        ".".join(p.relative_to(source).with_suffix("").parts).removesuffix(".__init__"): p for p in source.rglob("*.py")
    }
    graph: dict[str, set[str]] = {}
    for module, path in sorted(files.items()):
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{path}: icass imports by absolute names"
                assert node.module is not None
                imported.update(
                    f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in files else node.module
                    for alias in node.names
                )
        graph[module] = set()
        for name in imported:
            while name and name not in files:  # an attribute's dotted path, or another distribution's module
                name = name.rpartition(".")[0]
            if name and name != module:
                graph[module].add(name)
    return graph


def test_no_module_of_icass_imports_itself_through_others():
    """An import cycle makes the order of imports matter and hides which module is the lower one: each pair that
    needs the other shares a third module instead (icass.model.provenance, icass.cli.imports)."""
    import graphlib

    graph = import_graph()
    assert "icass.cli.worlds" in graph["icass.cli.store"]  # imported inside a command: an import all the same
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as cycle:
        pytest.fail("an import cycle: " + " -> ".join(cycle.args[1]))


# The pages read the store only through the API's functions (issue 17, "Views"): these are the imports of the
# store by the pages that were there when the rule was made, each to go as its page is moved onto the views.
# The list only shrinks: a new one fails the test, and so does one that is gone but still listed.
def test_the_pages_never_import_the_store_and_the_api_never_imports_the_pages():
    """The pages lay out what the API's functions hand them: no module of icass.web imports icass.store (its
    schema included), directly or by name; and icass.api never imports icass.web."""
    graph = import_graph()

    def imports(importer: str, imported: str) -> set[tuple[str, str]]:
        def within(module: str, package: str) -> bool:
            return module == package or module.startswith(f"{package}.")

        return {(m, i) for m in graph if within(m, importer) for i in graph[m] if within(i, imported)}

    assert imports("icass.api", "icass.web") == set()
    assert imports("icass.web", "icass.store") == set()


def test_the_version_is_declared_once_in_pyproject(tmp_path):
    """pyproject.toml's version is the package's, the API's and `icass --version`'s, and no module spells it."""
    import ast
    import tomllib

    from click.testing import CliRunner

    import icass
    from icass.api.app import create_api
    from icass.cli import app
    from icass.store.database import open_database

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert icass.__version__ == declared
    engine = open_database(f"sqlite:///{tmp_path / 'icass.db'}")
    try:
        assert create_api(engine, secure_cookies=False).openapi()["info"]["version"] == declared
    finally:
        engine.dispose()
    assert CliRunner().invoke(app, ["--version"], prog_name="icass").output == f"icass {declared}\n"
    spelled = [
        path.name
        for path in (ROOT / "src" / "icass").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and node.value == declared
    ]
    assert spelled == []


def test_the_slow_files_named_are_the_suites():
    """A slow file or folder renamed would silently join the fast subset (tests/conftest.py)."""
    from tests.conftest import SLOW_FILES, SLOW_LAYERS

    assert sorted(name for name in SLOW_FILES if not list((ROOT / "tests").glob(f"*/{name}"))) == []
    assert sorted(name for name in SLOW_LAYERS if not (ROOT / "tests" / name / "__init__.py").is_file()) == []
