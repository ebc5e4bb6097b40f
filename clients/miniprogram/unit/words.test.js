"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const load = require("./load");

const { statusLabel, statusTone, errorText, STATUSES, LABELS } = load("utils/words.js");
const { ApiFailure } = load("api/client.js");
const { fmtDate, fmtTime, maskPhone } = load("utils/format.js");
const { verificationState } = load("utils/account.js");

test("every status has the manual's word and UI.md's colour", () => {
  const words = STATUSES.map(statusLabel);
  assert.deepEqual(words, ["待审查", "通过", "不通过", "退回补正", "已撤回", "已过期", "已终止"]);
  assert.deepEqual(STATUSES.map(statusTone), ["blue", "green", "red", "orange", "grey", "grey", "grey"]);
  assert.equal(statusLabel("something_new"), "something_new");
});

test("a refusal reads as a sentence that says what to do next", () => {
  assert.equal(errorText(new ApiFailure(409, "binding_required", "")), "您尚未绑定该案件，请先申请案件绑定。");
  assert.equal(errorText(new Error("boom")), "网络连接失败，请检查网络后重试。");
  assert.equal(errorText(new ApiFailure(422, "materials_missing", "", { missing: ["license", "party_id"] })),
    "申请材料不齐，请补充上传后再提交：执业证、当事人身份证明");
  // the server's precise words come first where it names the wrong part
  assert.equal(errorText(new ApiFailure(422, "invalid_case_no", "案号应以“号”结尾")),
    "案号应以“号”结尾。案号格式不正确，请按“（2021）粤01民初1号”的格式输入。");
  assert.equal(errorText(new ApiFailure(422, "validation_error", "", { fields: { reason: "请填写申请原因" } })),
    "填写的内容有误，请按提示修改。 请填写申请原因");
  // an unknown code falls back to the server's message
  assert.equal(errorText(new ApiFailure(409, "brand_new", "新的拒绝理由")), "新的拒绝理由");
  assert.equal(LABELS.kind.identity, "本人身份证件");
});

test("dates and times are Beijing time", () => {
  assert.equal(fmtDate("2022-05-17T16:07:00Z"), "2022-05-18");
  assert.equal(fmtDate("2022-05-22"), "2022-05-22");
  assert.equal(fmtDate(null), "—");
  assert.equal(fmtTime("2022-05-17T16:07:00Z"), "2022-05-18 00:07:00");
  assert.equal(fmtTime("2022-05-18T00:07:00+08:00"), "2022-05-18 00:07:00");
  assert.equal(maskPhone("13800001234"), "138****1234");
});

test("实名认证: 未认证, 审核中, 已认证, 未通过 with the reason", () => {
  assert.deepEqual(verificationState({ verified: false, verification: null }), { status: "none", explanation: null });
  assert.equal(verificationState({ verified: false, verification: { status: "pending" } }).status, "pending");
  assert.deepEqual(verificationState({ verified: false, verification: { status: "rejected", explanation: "照片不清晰" } }),
    { status: "rejected", explanation: "照片不清晰" });
  assert.equal(verificationState({ verified: true, verification: { status: "approved" } }).status, "approved");
});

test("阅卷记录 lines say who did what to which page", () => {
  const { accessLine } = load("utils/words.js");
  assert.equal(accessLine({ actor: "金家慧余", action: "view_page", document_title: "起诉状", document_id: 3, page: 2 }), "金家慧余 查看《起诉状》第2页");
  assert.equal(accessLine({ actor: "金家慧余", action: "link_created" }), "金家慧余 复制链接");
  // as the gateway answers it: a link names no document, with nulls, not missing fields
  assert.equal(accessLine({ actor: "金家慧余", action: "link_created", document_title: null, document_id: null, page: null }), "金家慧余 复制链接");
  assert.equal(accessLine({ actor: "金家慧余", action: "download_pdf", document_id: 3 }), "金家慧余 打印（下载）文件3");
});

// The web pages' words (gateway/static/common.js), which court-words.ts copies (`make
// client-types`; tests/unit/test_miniprogram.py holds the copy to them), read here only.
const COMMON_JS = require("node:path").join(__dirname, "..", "..", "..", "gateway", "static", "common.js");

// Where the mini-program says it its own way: no page to refresh (返回), no 找回密码 hint,
// and 实名认证 asked for more than 查看案件.
const OWN_WORDS = ["forbidden", "method_not_allowed", "idempotency_key_reused", "verification_required", "id_number_taken", "license_taken"];

test("the words are the web pages': every label, and every sentence but the few said this client's way", async () => {
  const web = await import(require("node:url").pathToFileURL(COMMON_JS).href);
  const { ERROR_TEXT } = load("utils/words.js");
  assert.deepEqual(LABELS, web.LABELS);
  assert.deepEqual([...STATUSES], web.STATUSES);
  assert.deepEqual(Object.keys(ERROR_TEXT).sort(), Object.keys(web.ERROR_TEXT).sort());
  const differ = Object.keys(ERROR_TEXT).filter((code) => ERROR_TEXT[code] !== web.ERROR_TEXT[code]);
  assert.deepEqual(differ, OWN_WORDS);
  // the server's precise words come first for the same codes on both
  assert.equal(errorText(new ApiFailure(422, "invalid_date", "截止日期早于起始日期")),
    `截止日期早于起始日期。${web.ERROR_TEXT.invalid_date}`);
});
