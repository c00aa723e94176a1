"""The front-end files the pages serve are committed under static/vendor/ (no CDN, no npm at run time).

These checks need no Node: the folder holds exactly what VERSIONS.txt lists, byte for byte; USWDS's stylesheet
finds every font and image it refers to; and the versions match the exact pins of package.json and
package-lock.json. scripts/vendor_assets.py is what writes the folder (after `npm ci`).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path, PurePosixPath

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "src" / "icass" / "web" / "static" / "vendor"
USWDS_CSS = "uswds/css/uswds.min.css"
PACKAGES = {
    "htmx.org",
    "@uswds/uswds",
    "vega",
    "vega-lite",
    "vega-embed",
    "vega-interpreter",
    "swagger-ui-dist",
    "axe-core",
}
# What every page needs, by package: if one of these went missing the pages would break.
REQUIRED = {
    "htmx/htmx.min.js",
    USWDS_CSS,
    "uswds/js/uswds.min.js",
    "uswds/js/uswds-init.min.js",
    "vega/vega.min.js",
    "vega-lite/vega-lite.min.js",
    "vega-embed/vega-embed.min.js",
    "vega-interpreter/vega-interpreter.js",
    "swagger-ui/swagger-ui-bundle.js",
    "swagger-ui/swagger-ui.css",
    "axe-core/axe.min.js",
}
# Fonts and images USWDS page markup uses directly (<img src>, <use href>), not through the CSS.
MARKUP_IMAGES = {
    "uswds/img/us_flag_small.png",
    "uswds/img/icon-dot-gov.svg",
    "uswds/img/icon-https.svg",
    "uswds/img/lock.svg",
    "uswds/img/sprite.svg",
    "uswds/img/usa-icons-bg/search--white.svg",
    "uswds/img/usa-icons/close.svg",
}
# CSS references deliberately not vendored, each with its reason. None at present: every one resolves.
OMITTED: dict[str, str] = {}


def listed() -> dict[str, tuple[str, str, str]]:
    """VERSIONS.txt as {path: (package, version, sha256)}."""
    entries: dict[str, tuple[str, str, str]] = {}
    for line in (VENDOR / "VERSIONS.txt").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        spec, digest, path = line.split(" ")
        package, version = spec.rsplit("@", 1)
        assert path not in entries, f"{path} is listed twice"
        entries[path] = (package, version, digest)
    return entries


def versions_listed() -> dict[str, str]:
    versions: dict[str, set[str]] = {}
    for package, version, _ in listed().values():
        versions.setdefault(package, set()).add(version)
    assert all(len(found) == 1 for found in versions.values()), versions
    return {package: found.pop() for package, found in versions.items()}


def test_every_listed_file_is_there_with_its_digest():
    for path, (package, version, digest) in listed().items():
        file = VENDOR / path
        assert file.is_file(), f"{path} ({package}@{version}) is listed but missing"
        assert hashlib.sha256(file.read_bytes()).hexdigest() == digest, f"{path} differs from {package}@{version}"


def test_every_vendored_file_is_listed():
    present = {path.relative_to(VENDOR).as_posix() for path in VENDOR.rglob("*") if path.is_file()}
    assert present - {"VERSIONS.txt"} == set(listed())


def test_the_files_pages_need_are_vendored_with_each_licence():
    entries = listed()
    assert entries.keys() >= REQUIRED | MARKUP_IMAGES
    folders = {path.split("/")[0]: package for path, (package, _, _) in entries.items()}
    assert set(folders.values()) == PACKAGES
    for folder, package in folders.items():
        licences = [path for path in entries if re.fullmatch(rf"{re.escape(folder)}/LICEN[CS]E(\.md|\.txt)?", path)]
        assert licences, f"{package} has no licence file next to its files"


def css_references(css: str) -> set[str]:
    """Relative url(...) targets, without query or fragment (empty, data: and absolute URLs are not files)."""
    found: set[str] = set()
    for _quote, target in re.findall(r"url\(\s*(['\"]?)(.*?)\1\s*\)", css):
        target = target.strip()
        if target and not target.startswith(("data:", "#")) and not re.match(r"^[a-z][a-z0-9+.-]*:|^//|^/", target):
            found.add(re.split(r"[?#]", target, maxsplit=1)[0])
    return found


def resolve(base: str, reference: str) -> str:
    parts: list[str] = []
    for part in (PurePosixPath(base).parent / reference).parts:
        if part == "..":
            assert parts, f"{reference} climbs out of the vendor folder"
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def test_every_file_uswds_css_refers_to_is_vendored():
    css = (VENDOR / USWDS_CSS).read_text(encoding="utf-8")
    references = css_references(css)
    assert len(references) > 40, "the reference pattern no longer matches USWDS's url(...) syntax"
    assert "../fonts/source-sans-pro/sourcesanspro-regular-webfont.woff2" in references
    entries = listed()
    missing = {ref for ref in references if resolve(USWDS_CSS, ref) not in entries and ref not in OMITTED}
    assert not missing, f"uswds.min.css refers to files that are not vendored: {sorted(missing)}"
    assert not set(OMITTED) - references, "an omission is listed for a reference the CSS no longer has"


@pytest.mark.parametrize("text", ["url(https://cdn.example/x.woff2)", "url(//cdn.example/x)", "url(/abs.svg)"])
def test_absolute_urls_are_not_taken_for_vendored_files(text):
    assert css_references(text) == set()


def test_no_stylesheet_or_page_asset_loads_from_elsewhere():
    css = (VENDOR / USWDS_CSS).read_text(encoding="utf-8")
    assert not re.findall(r"url\(\s*['\"]?(?:[a-z]+:)?//", css, re.IGNORECASE)
    assert "@import" not in css


def test_versions_are_the_exact_pins_of_package_json_and_its_lock():
    pins = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["dependencies"]
    assert set(pins) == PACKAGES
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", spec) for spec in pins.values()), f"pins must be exact: {pins}"
    assert versions_listed() == pins
    lock = json.loads((ROOT / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"][""]["dependencies"] == pins
    assert {name: lock["packages"][f"node_modules/{name}"]["version"] for name in pins} == pins


def test_the_css_and_scripts_carry_their_versions():
    """A second check that VERSIONS.txt tells the truth: the files name their own versions."""
    versions = versions_listed()
    head = (VENDOR / USWDS_CSS).read_text(encoding="utf-8")[:400]
    assert versions["@uswds/uswds"] in head
    htmx = (VENDOR / "htmx/htmx.min.js").read_text(encoding="utf-8")
    assert f'version:"{versions["htmx.org"]}"' in htmx
    for folder, package in [("vega", "vega"), ("vega-lite", "vega-lite"), ("vega-embed", "vega-embed")]:
        script = (VENDOR / f"{folder}/{package}.min.js").read_text(encoding="utf-8")
        assert f'"{versions[package]}"' in script, package


def test_node_modules_stay_out_of_git():
    assert "/node_modules/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
