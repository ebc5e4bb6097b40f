"use strict";
// The pages as WeChat would take them, short of WeChat itself: the project laid out as
// DevTools lays it out after 构建 npm (miniprogram_npm/ from the packages), its WXML and
// WXSS compiled by WeChat's own compilers (wcc, wcsc, from miniprogram-compiler), every page
// of app.json complete, every component it names present, and every handler its WXML
// binds (bindtap="copyLink") a method of its Page().
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { wxmlToJs, wxssToJs } = require("miniprogram-compiler");
const load = require("./load");
const { laidOut } = require("./layout");

const ROOT = laidOut();
test.after(() => fs.rmSync(ROOT, { recursive: true, force: true }));
const app = JSON.parse(fs.readFileSync(path.join(ROOT, "app.json"), "utf8"));

test("every page of app.json has its .ts, .wxml and .json; the first is 公众服务", () => {
  assert.equal(app.pages[0], "pages/index/index");
  for (const page of app.pages) {
    for (const ext of [".ts", ".wxml", ".json"]) assert.ok(fs.existsSync(path.join(ROOT, page + ext)), page + ext);
    JSON.parse(fs.readFileSync(path.join(ROOT, page + ".json"), "utf8"));
  }
  assert.ok(fs.existsSync(path.join(ROOT, app.sitemapLocation)), "sitemap.json");
});

test("every component named in usingComponents is there after 构建 npm", () => {
  const configs = [["app.json", app], ...app.pages.map((p) => [p, JSON.parse(fs.readFileSync(path.join(ROOT, p + ".json"), "utf8"))])];
  for (const [where, config] of configs) {
    for (const [tag, target] of Object.entries(config.usingComponents || {})) {
      const file = path.join(ROOT, "miniprogram_npm", target);
      for (const ext of [".js", ".json", ".wxml"]) assert.ok(fs.existsSync(file + ext), `${where}: <${tag}> → ${target}${ext}`);
    }
  }
});

test("WeChat's compilers take every WXML and WXSS file", () => {
  assert.doesNotThrow(() => wxmlToJs(ROOT));
  assert.doesNotThrow(() => wxssToJs(ROOT));
});

test("a broken WXML file is refused, so the check above means something", () => {
  const broken = fs.mkdtempSync(path.join(os.tmpdir(), "miniprogram-broken-"));
  try {
    fs.writeFileSync(path.join(broken, "index.wxml"), "<view><text>没有闭合</view>");
    assert.throws(() => wxmlToJs(broken), /expect end-tag/);
  } finally {
    fs.rmSync(broken, { recursive: true, force: true });
  }
});

// The handlers a WXML file (and the templates it imports) binds.
function handlers(file) {
  const text = fs.readFileSync(file, "utf8");
  const names = [...text.matchAll(/\b(?:bind|catch|capture-bind|capture-catch):?[a-z]+="([A-Za-z_$][\w$]*)"/g)].map((m) => m[1]);
  for (const m of text.matchAll(/<import src="([^"]+)"/g)) names.push(...handlers(path.resolve(path.dirname(file), m[1])));
  return names;
}

test("every handler a page's WXML binds is a method of its Page()", () => {
  let pageOptions = null;
  global.Page = (options) => (pageOptions = options);
  global.App = () => {};
  global.getCurrentPages = () => [];
  global.wx = {}; // a page touches wx only when it runs, never when it loads
  try {
    for (const page of app.pages) {
      pageOptions = null;
      load(page + ".js");
      assert.ok(pageOptions, `${page} calls Page()`);
      for (const name of handlers(path.join(ROOT, page + ".wxml"))) {
        assert.equal(typeof pageOptions[name], "function", `${page}.wxml binds ${name}, which its Page() lacks`);
      }
    }
  } finally {
    delete global.Page;
    delete global.App;
    delete global.getCurrentPages;
    delete global.wx;
  }
});
