// Draws every chart of the page: an element with data-chart names the <script type="application/json">
// holding its Vega-Lite specification (icass.web.charts). SVG, so the browser test can find the marks.
document.querySelectorAll("[data-chart]").forEach(function (element) {
  var spec = JSON.parse(document.getElementById(element.dataset.chart).textContent);
  vegaEmbed(element, spec, { actions: false, renderer: "svg" }).then(function () {
    element.dataset.drawn = "yes";
  });
});
