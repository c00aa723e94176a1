// What a control does once htmx has its answer, named by its data-after-request attribute: "reload" the page,
// or go to "sign-in". The pages hold no inline handler (hx-on included): the Content-Security-Policy
// (icass.api.headers) refuses them, and htmx is told not to evaluate any (htmx-config allowEval false).
document.addEventListener("htmx:afterRequest", function (event) {
  const then = event.detail.elt.dataset.afterRequest;
  if (then === "reload") {
    window.location.reload();
  } else if (then === "sign-in") {
    window.location.assign("/login");
  }
});

// Moments the server wrote in UTC (<time class="local-time" datetime="...">), shown in the reader's own time
// zone as "7 Dec 2026, 09:15"; the UTC text stays as the element's title.
const LOCAL_TIME = new Intl.DateTimeFormat(undefined, {
  day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
});
function showLocalTimes(root) {
  root.querySelectorAll("time.local-time").forEach(function (element) {
    const moment = new Date(element.getAttribute("datetime"));
    if (!Number.isNaN(moment.getTime()) && !element.title) {
      element.title = element.textContent;
      element.textContent = LOCAL_TIME.format(moment);
    }
  });
}
document.addEventListener("DOMContentLoaded", function () { showLocalTimes(document); });
document.addEventListener("htmx:afterSwap", function (event) { showLocalTimes(event.detail.elt); });
