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
