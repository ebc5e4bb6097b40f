"use strict";
// The detail page's four blocks, as the manual's 图13 (online) and 图14 (on site) show them.
const test = require("node:test");
const assert = require("node:assert/strict");
const load = require("./load");

const { detailView, grantScope } = load("utils/detail.js");

const base = {
  id: 12, status: "approved", case_no: "（2021）粤01民初1号", court: "广东省广州市中级人民法院",
  applicant: { name: "金家慧余" }, applied_at: "2022-05-07T09:00:00+08:00", scope: "全案卷宗", reason: "测试",
  materials: [
    { id: 1, kind: "license", filename: "执业证.pdf" },
    { id: 2, kind: "firm_letter", filename: "律所介绍信.pdf" },
    { id: 3, kind: "license", filename: "执业证背面.jpg" },
  ],
  review: { reviewer: "中欣", reviewed_at: "2022-05-07T10:00:00+08:00", opinion: "approve", explanation: "申请符合法律规定，予以同意", mode: "online" },
  reading: { mode: "online", valid_until: "2022-05-22", print: true, documents: null },
  actions: ["view_dossier", "copy_link", "print", "access_log"],
};

const rows = (list) => Object.fromEntries(list.map((r) => [r.label, r.value]));

test("an online approval: the four blocks with the manual's fields, 查看案卷, 复制链接, 打印 on the PC", () => {
  const view = detailView(base);
  assert.equal(view.statusLabel, "通过");
  assert.equal(view.tone, "green");
  assert.deepEqual(view.info.map((r) => r.label), ["案号", "承办法院", "申请人", "申请日期", "申请内容", "申请原因"]);
  assert.equal(rows(view.info)["申请日期"], "2022-05-07");
  assert.deepEqual(rows(view.review), { 审查人: "中欣", 审查日期: "2022-05-07", 审查意见: "同意", 审查意见说明: "申请符合法律规定，予以同意", 阅卷方式: "在线阅卷" });
  assert.deepEqual(view.materials.map((g) => [g.label, g.items.length]), [["执业证", 2], ["律所介绍信或证明", 1]]);
  assert.equal(view.reading.kind, "online");
  assert.equal(rows(view.reading.rows)["有效截止日期"], "2022-05-22");
  assert.equal(rows(view.reading.rows)["阅卷范围"], "全部正卷");
  assert.deepEqual([view.reading.canView, view.reading.canCopy, view.reading.canPrint], [true, true, true]);
  assert.match(view.reading.note, /电脑上打开后打印/);
  assert.deepEqual(view.actions, { withdraw: false, reapply: false, correct: false });
});

test("a narrowed grant without printing says so", () => {
  const reading = { mode: "online", valid_until: "2022-05-22", print: false, document_titles: ["起诉状", "答辩状"] };
  assert.equal(grantScope(reading), "部分卷宗：起诉状、答辩状（仅限在线查看，不可打印）");
  const view = detailView({ ...base, reading, actions: ["view_dossier", "copy_link", "access_log"] });
  assert.equal(view.reading.canPrint, false);
  assert.match(view.reading.note, /仅限在线查看，不可打印/);
});

test("an on-site approval: 温馨提示, 起始时间, 截止时间, 是否到场, 借阅时间, 还卷时间", () => {
  const view = detailView({ ...base,
    review: { ...base.review, mode: "onsite" },
    reading: { mode: "onsite", start_date: "2022-05-18", end_date: "2022-05-19", notice: "现场阅卷需要带齐相关证明材料",
      attended: true, borrowed_at: "2022-05-17T16:07:00Z", returned_at: null, booking: null },
    actions: ["book_onsite"] });
  assert.equal(view.reading.kind, "onsite");
  assert.equal(view.reading.notice, "现场阅卷需要带齐相关证明材料");
  assert.deepEqual(rows(view.reading.rows), { 起始时间: "2022-05-18", 截止时间: "2022-05-19", 预约到场时间: "未预约", 是否到场: "是", 借阅时间: "2022-05-18 00:07:00", 还卷时间: "—" });
  assert.equal(view.reading.canView, false);
  assert.equal(view.reading.canBook, true); // 预约到场时间
  assert.equal(detailView(base).reading.canBook, false);
});

test("pending: 审查信息 waits, 撤回 offered; expired, returned, revoked: 重新申请", () => {
  const pending = detailView({ ...base, status: "pending", review: null, reading: null, actions: ["withdraw"] });
  assert.equal(pending.review, null);
  assert.equal(pending.reading.note, "审查通过后在此查看阅卷截止时间与卷宗。");
  assert.deepEqual(pending.actions, { withdraw: true, reapply: false, correct: false });

  const expired = detailView({ ...base, status: "expired", actions: ["reapply", "access_log"] });
  assert.equal(expired.reading.kind, "ended");
  assert.equal(expired.reading.canView, false);
  assert.match(expired.reading.note, /重新申请阅卷/);
  assert.deepEqual(expired.actions, { withdraw: false, reapply: true, correct: false });

  const returned = detailView({ ...base, status: "returned", review: { ...base.review, opinion: "return", explanation: "请补充授权委托书", mode: null }, reading: null, actions: ["correct", "reapply"] });
  assert.equal(returned.returnExplanation, "请补充授权委托书");
  assert.equal(returned.tone, "orange");
  assert.deepEqual(returned.actions, { withdraw: false, reapply: true, correct: true });

  const revoked = detailView({ ...base, status: "revoked", revocation: { reason: "代理关系已终止" }, actions: ["reapply", "access_log"] });
  assert.equal(revoked.revokedReason, "代理关系已终止");
  assert.match(revoked.reading.note, /阅卷已终止/);
  assert.equal(revoked.actions.reapply, true);
  assert.equal(detailView({ ...base, status: "withdrawn", reading: null, actions: [] }).actions.reapply, false);
});

test("the buttons are the answer's actions, not the page's reading of the status", () => {
  // an approval the server offers nothing on (court staff read it, or the grant was cut)
  const none = detailView({ ...base, actions: [] });
  assert.equal(none.reading.kind, "online");
  assert.deepEqual([none.reading.canView, none.reading.canCopy, none.reading.canPrint], [false, false, false]);
  assert.deepEqual(none.actions, { withdraw: false, reapply: false, correct: false });
  // whatever the server allows is offered, and only that
  const some = detailView({ ...base, status: "pending", reading: null, actions: ["withdraw", "reapply"] });
  assert.deepEqual(some.actions, { withdraw: true, reapply: true, correct: false });
});
