// The modules under test, as `tsc -p . --outDir .build` compiled them (make test does that
// first: tests/unit/test_miniprogram.py).
"use strict";
const path = require("node:path");

const BUILD = process.env.MINIPROGRAM_BUILD || path.join(__dirname, "..", ".build");

module.exports = (name) => require(path.join(BUILD, "miniprogram", name));
