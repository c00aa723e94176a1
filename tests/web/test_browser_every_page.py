"""Every page of the workspace, as each role, at a phone's, a tablet's and a desktop's width (issue 18, "for
everyone"): the page itself never scrolls sideways (a wide table scrolls inside its own container), nothing is
logged as an error or refused by the Content-Security-Policy, and axe-core finds no serious or critical
violation of WCAG 2.1 AA.

The pages are found as a person finds them: from the home page, following the workspace's links, one page of
each kind at each post (one invoice, one scenario, one handbook chapter...), so that a page added later is
visited without being listed here. axe runs once a page, at the desktop width: the three widths lay out the
same document (only USWDS's menu button shows or hides the navigation), and axe is the slow part."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import DEMO_PASSWORD
from tests.web.test_browser import CHROMIUM_ARGS, FY, KVR, REPORT_VIOLATIONS, server  # noqa: F401 (fixture)

ROLES = ("admin", "fmo", "committee", "hq")
WIDTHS = (390, 1024, 1440)
AXE = Path(__file__).resolve().parents[2] / "src/icass/web/static/vendor/axe-core/axe.min.js"
SERIOUS = ("serious", "critical")

# Pages of one kind share a key: a path's variable parts (an agency, a scenario, a handbook chapter) become `*`.
KINDS = (
    (re.compile(r"^(/posts/[^/]+/\d+/invoices)/[^/]+$"), r"\1/*"),
    (re.compile(r"^(/posts/[^/]+/\d+/versions/\d+/invoices)/[^/]+$"), r"\1/*"),
    (re.compile(r"^(/posts/[^/]+/\d+/scenarios)/[^/]+$"), r"\1/*"),
    (re.compile(r"^(/posts/[^/]+/\d+/workload-approval)/[^/]+$"), r"\1/*"),
    (re.compile(r"^(/world/\d+/invoices)/[^/]+$"), r"\1/*"),
    (re.compile(r"^/handbook/[^/]+$"), "/handbook/*"),
    (re.compile(r"^/handbook/[^/]+/[^/]+$"), "/handbook/*/*"),
)
# Not pages: the API and its explorer, downloads, and a table row's fragment.
NOT_PAGES = re.compile(r"^/(api|static)/|\.(pdf|xlsx|csv|json|zip)$|^/posts/[^/]+/\d+/tables/[^/]+/\d+")
# The demo's three posts of 2027, one of each kind (a standard post, a lite one, a consulate): the other posts
# of the world's files add pages of the same templates and minutes of run time.
POSTS = re.compile(r"^/posts/(KVR|PSL|ALD)/2027(/|$)")


def _kind(path: str) -> str:
    for pattern, replacement in KINDS:
        if pattern.match(path):
            return pattern.sub(replacement, path)
    return path


MEASURE = """() => ({
  page: document.documentElement.scrollWidth, view: document.documentElement.clientWidth,
  widest: [...document.querySelectorAll("main *, header *")]
    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .slice(0, 3).map(e => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}.${[...e.classList].join(".")}`),
})"""

RUN_AXE = """async () => {
  const found = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
    "best-practice"]}, resultTypes: ["violations"]});
  return found.violations.filter(v => ["serious", "critical"].includes(v.impact))
    .map(v => `${v.impact} ${v.id} (${v.nodes.length} nodes, e.g. ${v.nodes[0].target.join(" ")}): ${v.help}`);
}"""
# Headings in order (issue 18: an H1 once followed by an H3): one H1, and no heading deeper than the one before
# it plus one, counting those in a closed <details> too (axe's heading-order is only "moderate", and it skips them).
HEADINGS = """() => {
  const found = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")]
    .map(h => [Number(h.tagName[1]), h.textContent.trim().slice(0, 60)]);
  const wrong = found.flatMap(([level, text], i) => (i === 0 ? level !== 1 : level > found[i - 1][0] + 1)
    ? [`h${level} "${text}" after ${i === 0 ? "no heading" : "h" + found[i - 1][0]}`] : []);
  const first = found.filter(([level]) => level === 1).length;
  return first === 1 ? wrong : [...wrong, `${first} h1 headings`];
}"""

# Every control usable by keyboard (WCAG 2.1.1; tests/web/test_browser_keyboard.py walks a day's start by Tab and
# Enter): no tab order of its own (tabindex above 0), and nothing that acts on a click (htmx) that Tab skips.
KEYBOARD = """() => {
  const name = e => `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""} "${e.textContent.trim().slice(0, 40)}"`;
  const found = [...document.querySelectorAll("[tabindex]")].filter(e => e.tabIndex > 0)
    .map(e => `tabindex ${e.tabIndex} on ${name(e)}`);
  const controls = ["a", "button", "form", "input", "select", "textarea", "summary"];
  for (const e of document.querySelectorAll("[hx-get], [hx-post], [hx-put], [hx-patch], [hx-delete]")) {
    const trigger = e.getAttribute("hx-trigger") || "click";
    if (controls.includes(e.tagName.toLowerCase()) || /^(load|revealed|every)/.test(trigger)) continue;
    if (e.tabIndex < 0) found.push(`${name(e)} acts on ${trigger} but Tab does not reach it`);
  }
  return found;
}"""


@pytest.fixture
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is needed (apt-get install chromium; .ci/run installs it)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def _a_scenario(server: str, browser) -> None:  # noqa: F811
    """A what-if of KVR, so that its page is among those visited."""
    context = browser.new_context(base_url=server)
    try:
        assert context.request.post("/api/session", data={"username": "fmo", "password": DEMO_PASSWORD}).ok
        page = context.new_page()
        page.goto(f"/posts/{KVR}/{FY}/scenarios")
        page.fill("#scenario-name", "more uniformed staff")
        page.click("#new-scenario button[type=submit]")
        page.wait_for_url(f"**/posts/{KVR}/{FY}/scenarios/*")
    finally:
        context.close()


def _visit(page, path: str, errors: list[str]) -> tuple[list[str], list[str]]:
    """The page's problems and the workspace's links on it."""
    problems: list[str] = []
    errors.clear()
    page.set_viewport_size({"width": WIDTHS[-1], "height": 900})
    answer = page.goto(path)
    assert answer is not None
    if answer.status != 200:
        return [f"answered {answer.status}"], []
    page.wait_for_load_state("load")
    for chart in page.locator(".icass-chart").all():
        chart.and_(page.locator("[data-drawn=yes]")).wait_for()
    page.evaluate(AXE.read_text())
    problems += page.evaluate(RUN_AXE)
    problems += [f"heading out of order: {h}" for h in page.evaluate(HEADINGS)]
    problems += [f"keyboard: {k}" for k in page.evaluate(KEYBOARD)]
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        measured = page.evaluate(MEASURE)
        if measured["page"] > measured["view"]:
            problems.append(
                f"at {width} px the page is {measured['page']} px wide; wider than the window: {measured['widest']}"
            )
    problems += [f"logged: {e}" for e in errors]
    links = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    return problems, links


def _pages(server: str, browser, role: str) -> dict[str, list[str]]:  # noqa: F811
    """Each page `role` reaches from the home page, one of each kind, with its problems."""
    context = browser.new_context(base_url=server)
    found: dict[str, list[str]] = {}
    try:
        page = context.new_page()
        page.add_init_script(REPORT_VIOLATIONS)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(f"{m.text} ({m.location})") if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
        page.goto("/login")
        found["/login"], _ = _visit(page, "/login", errors)
        page.fill("#username", role)
        page.fill("#password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/")
        waiting, kinds = ["/"], {"/"}
        while waiting:
            path = waiting.pop(0)
            found[path], links = _visit(page, path, errors)
            for link in links:
                parts = urlsplit(link)
                if parts.netloc != urlsplit(server).netloc or NOT_PAGES.search(parts.path):
                    continue
                if parts.path.startswith("/posts/") and not POSTS.match(parts.path):
                    continue
                target = parts.path + (f"?{parts.query}" if parts.query else "")
                if _kind(parts.path) not in kinds:
                    kinds.add(_kind(parts.path))
                    waiting.append(target)
    finally:
        context.close()
    return found


# Pages of each kind each role reaches at least (the admin: three posts; the FMO and the committee: KVR; hq:
# its home, the world, invoices): a link lost from a page shows here as well as a page that fails.
LEAST = {"admin": 70, "fmo": 25, "committee": 25, "hq": 6}


# The pages and the browser do not depend on the database's backend (tests/web/test_browser.py runs the flows on
# both): on SQLite only, each role a test of its own so that `-n 2` shares them out.
@pytest.mark.parametrize("seeded_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_at_every_width(server, browser, role):  # noqa: F811
    _a_scenario(server, browser)
    found = _pages(server, browser, role)
    failures = [f"{role} {path}: {problem}" for path, problems in found.items() for problem in problems]
    assert not failures, f"{len(failures)} problems on the pages:\n" + "\n".join(failures)
    assert len(found) >= LEAST[role], sorted(found)
