"""Copy the pinned front-end assets from node_modules into src/icass/web/static/vendor/.

The pages serve every script, stylesheet, font and image themselves (issue 8: no CDN), and a wheel, CI and an
offline post must not need npm. So the files are committed, and this script is the only way they change:

    npm ci --ignore-scripts             # installs exactly what package-lock.json pins
    python3 scripts/vendor_assets.py    # rewrites static/vendor/ and VERSIONS.txt
    python3 scripts/vendor_assets.py --check   # or: only report whether static/vendor/ is up to date

It uses the standard library only, so it can be read and checked without Node. Files are copied byte for byte
(no re-minifying, source-map comments left in) so each one can be compared with the npm tarball it came from.
USWDS ships 10 MB of fonts and images; only what its compiled CSS refers to (read from the url(...) references,
so an upgrade brings in whatever the new CSS needs) and the few images its page markup uses are copied.
"""

from __future__ import annotations

import argparse
import filecmp
import hashlib
import json
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "src" / "icass" / "web" / "static" / "vendor"
VERSIONS = "VERSIONS.txt"


@dataclass(frozen=True)
class Package:
    name: str  # npm name, as in package.json
    folder: str  # folder under static/vendor/
    files: dict[str, str]  # path in the npm package -> path under the folder
    licence: str  # licence file in the npm package, copied next to the files


USWDS_DIST = "dist"
USWDS_CSS = "css/uswds.min.css"

# Images USWDS page markup points at with <img src> or <use href> (not the CSS), for the components the
# pages use: the official-website banner, the header's search button and menu, and usa-icon's sprite.
USWDS_MARKUP_IMAGES = [
    "img/us_flag_small.png",  # banner: the flag
    "img/icon-dot-gov.svg",  # banner: "Official websites use .gov"
    "img/icon-https.svg",  # banner: "Secure .gov websites use HTTPS"
    "img/lock.svg",  # banner: the padlock
    "img/sprite.svg",  # <svg class="usa-icon"><use href="sprite.svg#name">, every icon in one file
    "img/usa-icons-bg/search--white.svg",  # search button
    "img/usa-icons/close.svg",  # header: mobile menu close button
]

PACKAGES = [
    Package("htmx.org", "htmx", {"dist/htmx.min.js": "htmx.min.js"}, "LICENSE"),
    Package(
        "@uswds/uswds",
        "uswds",
        {f"{USWDS_DIST}/{path}": path for path in (USWDS_CSS, "js/uswds.min.js", "js/uswds-init.min.js")},
        "LICENSE.md",  # also covers the bundled fonts (SIL Open Font License)
    ),
    Package("vega", "vega", {"build/vega.min.js": "vega.min.js"}, "LICENSE"),
    Package("vega-lite", "vega-lite", {"build/vega-lite.min.js": "vega-lite.min.js"}, "LICENSE"),
    Package("vega-embed", "vega-embed", {"build/vega-embed.min.js": "vega-embed.min.js"}, "LICENSE"),
    # Evaluates chart expressions without `new Function`, which the Content-Security-Policy refuses. It is
    # published only as an ES module that imports "vega-util": the dashboard's import map points that name at
    # static/vega-util.js, which hands over the copy of vega-util that vega.min.js already carries.
    Package("vega-interpreter", "vega-interpreter", {"build/vega-interpreter.js": "vega-interpreter.js"}, "LICENSE"),
    # The API explorer at /api/docs (FastAPI's Swagger UI page, pointed here instead of at a CDN). NOTICE goes
    # with the Apache-2.0 licence.
    Package(
        "swagger-ui-dist",
        "swagger-ui",
        {"swagger-ui-bundle.js": "swagger-ui-bundle.js", "swagger-ui.css": "swagger-ui.css", "NOTICE": "NOTICE"},
        "LICENSE",
    ),
    # The accessibility checker the browser tests run on every page (tests/web); no page loads it.
    Package("axe-core", "axe-core", {"axe.min.js": "axe.min.js"}, "LICENSE"),
]

URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)")


def css_references(css: str) -> list[str]:
    """The relative paths a stylesheet's url(...) references point to, without query or fragment, in order.

    Empty references (USWDS has `@supports (mask: url())` feature tests), data: URIs and absolute URLs are
    not files to vendor and are left out.
    """
    found: dict[str, None] = {}
    for match in URL.finditer(css):
        target = match.group(2).strip()
        if not target or target.startswith(("data:", "#")) or re.match(r"^[a-z][a-z0-9+.-]*:|^//|^/", target, re.I):
            continue
        found[re.split(r"[?#]", target, maxsplit=1)[0]] = None
    return list(found)


def fail(message: str) -> None:
    sys.exit(f"vendor_assets: {message}")


def pinned_versions() -> dict[str, str]:
    """package.json's dependencies, each of which must be an exact version."""
    dependencies: dict[str, str] = json.loads((ROOT / "package.json").read_text())["dependencies"]
    for name, spec in dependencies.items():
        if not re.fullmatch(r"\d+\.\d+\.\d+", spec):
            fail(f"package.json pins {name} as {spec!r}; pin an exact version")
    missing = {package.name for package in PACKAGES} - dependencies.keys()
    if missing:
        fail(f"package.json lacks {sorted(missing)}")
    return dependencies


def installed(name: str, version: str) -> Path:
    folder = NODE_MODULES / name
    manifest = folder / "package.json"
    if not manifest.is_file():
        fail(f"{name} is not in node_modules; run `npm ci` first")
    found = json.loads(manifest.read_text())["version"]
    if found != version:
        fail(f"node_modules has {name}@{found} but package.json pins {version}; run `npm ci`")
    return folder


def uswds_files(source: Path) -> dict[str, str]:
    """USWDS's fonts and images: every file its CSS refers to, and the images its markup uses."""
    css = (source / USWDS_DIST / USWDS_CSS).read_text(encoding="utf-8")
    css_folder = PurePosixPath(USWDS_CSS).parent
    files: dict[str, str] = {}
    for reference in css_references(css):
        # normalise "css/../fonts/x.woff2" to "fonts/x.woff2"; it must stay inside dist/
        parts: list[str] = []
        for part in (css_folder / reference).parts:
            if part == "..":
                if not parts:
                    fail(f"{USWDS_CSS} refers to {reference}, outside the package")
                parts.pop()
            elif part != ".":
                parts.append(part)
        path = "/".join(parts)
        files[f"{USWDS_DIST}/{path}"] = path
    for path in USWDS_MARKUP_IMAGES:
        files[f"{USWDS_DIST}/{path}"] = path
    return files


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(target: Path) -> None:
    """Write the whole vendor folder into target (which must not exist yet)."""
    versions = pinned_versions()
    lines = [
        "# Written by scripts/vendor_assets.py from node_modules after `npm ci`; do not edit by hand.",
        "# package@version sha256 path (relative to this folder)",
    ]
    for package in PACKAGES:
        version = versions[package.name]
        source = installed(package.name, version)
        files = dict(package.files)
        if package.name == "@uswds/uswds":
            files.update(uswds_files(source))
        files[package.licence] = package.licence
        for origin, destination in sorted(files.items(), key=lambda item: item[1]):
            if not (source / origin).is_file():
                fail(f"{package.name}@{version} has no {origin}")
            copied = target / package.folder / destination
            copied.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / origin, copied)
            lines.append(f"{package.name}@{version} {sha256(copied)} {package.folder}/{destination}")
    (target / VERSIONS).write_text("\n".join(lines) + "\n", encoding="utf-8")


def differences(left: Path, right: Path) -> list[str]:
    """Relative paths that are only in one folder or differ in content."""
    found: list[str] = []

    def walk(comparison: filecmp.dircmp[str], prefix: str) -> None:
        found.extend(prefix + name for name in comparison.left_only + comparison.right_only + comparison.funny_files)
        _, mismatch, errors = filecmp.cmpfiles(
            comparison.left, comparison.right, comparison.common_files, shallow=False
        )
        found.extend(prefix + name for name in mismatch + errors)
        for name, sub in comparison.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(left, right), "")
    return sorted(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if static/vendor/ is stale")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / "vendor"
        fresh.mkdir()
        build(fresh)
        if arguments.check:
            stale = differences(fresh, VENDOR) if VENDOR.is_dir() else ["(no vendor folder)"]
            for path in stale:
                print(f"stale: {path}")
            sys.exit(1 if stale else 0)
        if VENDOR.exists():
            shutil.rmtree(VENDOR)
        VENDOR.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(fresh, VENDOR)
    total = sum(path.stat().st_size for path in VENDOR.rglob("*") if path.is_file())
    count = sum(1 for path in VENDOR.rglob("*") if path.is_file())
    print(f"vendored {count} files, {total / 1024:.0f} KiB, into {VENDOR.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
