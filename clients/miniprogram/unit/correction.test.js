"use strict";
// 补正: what the corrected application keeps, adds and still lacks.
const test = require("node:test");
const assert = require("node:assert/strict");
const load = require("./load");

const { scopeParts, scopeValue, missingAfter, correctionBody } = load("utils/correction.js");

const old = [
  { id: "m1", kind: "license", filename: "执业证.pdf", removed: false },
  { id: "m2", kind: "firm_letter", filename: "介绍信.pdf", removed: true },
  { id: "m3", kind: "authorization", filename: "委托书.pdf", removed: false },
];

test("申请内容: 全案卷宗 or a description, both ways", () => {
  assert.deepEqual(scopeParts("全案卷宗"), { kind: "all", text: "" });
  assert.deepEqual(scopeParts("起诉状、答辩状"), { kind: "part", text: "起诉状、答辩状" });
  assert.equal(scopeValue("all", "ignored"), "全案卷宗");
  assert.equal(scopeValue("part", "  答辩状 "), "答辩状");
  assert.equal(scopeValue("part", ""), "部分卷宗");
});

test("a lawyer's correction still needs the four materials; a removed one no longer counts", () => {
  assert.deepEqual(missingAfter(old, [], true), ["firm_letter", "party_id"]);
  assert.deepEqual(missingAfter(old, ["firm_letter", "party_id"], true), []);
  assert.deepEqual(missingAfter(old, [], false), []);
});

test("the reapply body: kept materials first, then the new ones", () => {
  assert.deepEqual(correctionBody(old, ["n1"], "全案卷宗", " 补充了授权委托书 "), {
    scope: "全案卷宗", reason: "补充了授权委托书", material_ids: ["m1", "m3", "n1"],
  });
});
