// The project laid out as WeChat DevTools lays it out to run it: the miniprogram/ folder,
// its npm components where 构建 npm puts them (miniprogram_npm/<name>/, from each
// dependency's `miniprogram` folder), and, when asked, the compiled .js of each .ts beside
// it (DevTools compiles them in place; the tests take tsc's output from MINIPROGRAM_BUILD).
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const APP = path.join(__dirname, "..");
const BUILD = process.env.MINIPROGRAM_BUILD || path.join(APP, ".build");

function copyTree(from, to, filter = () => true) {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (!filter(source)) continue;
    if (entry.isDirectory()) {
      fs.mkdirSync(target, { recursive: true });
      copyTree(source, target, filter);
    } else {
      fs.copyFileSync(source, target);
    }
  }
}

function laidOut({ withJs = false } = {}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "miniprogram-"));
  copyTree(path.join(APP, "miniprogram"), root, (p) => !p.includes(`${path.sep}miniprogram_npm`));
  const pkg = JSON.parse(fs.readFileSync(path.join(APP, "package.json"), "utf8"));
  for (const name of Object.keys(pkg.dependencies || {})) {
    const meta = JSON.parse(fs.readFileSync(path.join(APP, "node_modules", name, "package.json"), "utf8"));
    if (meta.miniprogram) {
      const target = path.join(root, "miniprogram_npm", name);
      fs.mkdirSync(target, { recursive: true });
      copyTree(path.join(APP, "node_modules", name, meta.miniprogram), target);
    }
  }
  if (withJs) copyTree(path.join(BUILD, "miniprogram"), root);
  return root;
}

module.exports = { laidOut };
