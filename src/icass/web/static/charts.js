// Draws every chart of the page: an element with data-chart names the <script type="application/json">
// holding its Vega-Lite specification (icass.web.charts). SVG, so the browser test can find the marks.
// The Content-Security-Policy (icass.api.headers) allows no eval and no inline style: so vega-embed hands the
// charts' expressions over as syntax trees (ast) to vega-interpreter rather than compiling them with
// `new Function`, and adds no <style> element of its own or of its tooltip (icass.css has the tooltip's rules).
import { expressionInterpreter } from "/static/vendor/vega-interpreter/vega-interpreter.js";

const options = {
  actions: false,
  renderer: "svg",
  ast: true,
  expr: expressionInterpreter,
  defaultStyle: false,
  tooltip: { disableDefaultStyle: true },
};

document.querySelectorAll("[data-chart]").forEach(function (element) {
  const spec = JSON.parse(document.getElementById(element.dataset.chart).textContent);
  window.vegaEmbed(element, spec, options).then(function () {
    element.dataset.drawn = "yes";
  });
});
