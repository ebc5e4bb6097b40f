// Runs one compiled page the way WeChat runs it, for the page tests: Page(options) makes
// an instance whose methods see `this.data`, and whose setData takes WeChat's path keys
// ("form.role", "materials[0]", "items[2].read"). With the fake `wx` of fake-wx.js, a test
// drives a page by its lifecycle and its handlers, as a person's taps would.
"use strict";
const path = require("node:path");
const load = require("./load");

const BUILD = process.env.MINIPROGRAM_BUILD || path.join(__dirname, "..", ".build");

function setPath(target, key, value) {
  const parts = key.replace(/\[(\d+)\]/g, ".$1").split(".");
  let at = target;
  for (const part of parts.slice(0, -1)) {
    if (at[part] === undefined || at[part] === null) at[part] = {};
    at = at[part];
  }
  at[parts[parts.length - 1]] = value;
}

/** Opens `route` (e.g. "pages/detail/detail") with a fresh copy of every module. */
function openPage(route, wx, query = {}) {
  for (const key of Object.keys(require.cache)) if (key.startsWith(BUILD)) delete require.cache[key];
  let options = null;
  const stack = [];
  global.wx = wx;
  global.getCurrentPages = () => stack;
  global.Page = (o) => (options = o);
  load(`${route}.js`);
  if (!options) throw new Error(`${route} did not call Page()`);
  const page = { route, options: query, data: JSON.parse(JSON.stringify(options.data || {})) };
  page.setData = (patch, done) => {
    for (const [key, value] of Object.entries(patch)) setPath(page.data, key, value);
    if (done) done();
  };
  for (const [name, value] of Object.entries(options)) if (typeof value === "function") page[name] = value.bind(page);
  stack.push(page);
  return page;
}

/** Lets every answer already given run to the end of its handlers. */
async function settle(rounds = 8) {
  for (let i = 0; i < rounds; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

function closePages() {
  delete global.wx;
  delete global.getCurrentPages;
  delete global.Page;
}

module.exports = { openPage, settle, closePages };
