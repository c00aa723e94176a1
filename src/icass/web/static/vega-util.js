// The module "vega-util" as vega-interpreter (an ES module) imports it: the dashboard's import map points the
// name here. vega.min.js, loaded before any module runs, carries the whole of vega-util on window.vega, so this
// hands over that copy rather than serving a second one; a name vega-interpreter imports that is missing here
// stops the module from loading, which the browser tests see as a console error.
const { ascending, isString, DisallowedObjectProperties } = window.vega;

export { ascending, isString, DisallowedObjectProperties };
