// A link to something inside a closed USWDS accordion section (a workload line, a position: "#line-6150-1931_0")
// opens its section, so that what the link names is shown; USWDS's own script opens and closes the sections.
function openLinked() {
  const id = decodeURIComponent(window.location.hash.slice(1));
  const target = id && document.getElementById(id);
  if (!target) {
    return;
  }
  const content = target.closest(".usa-accordion__content");
  const button = content && document.querySelector(`[aria-controls="${CSS.escape(content.id)}"]`);
  if (button && button.getAttribute("aria-expanded") !== "true") {
    button.click();
  }
  target.scrollIntoView({ block: "center" });
}
window.addEventListener("load", openLinked);
window.addEventListener("hashchange", openLinked);
