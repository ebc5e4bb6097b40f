"use strict";
// The pages driven as a person drives them, over the fake wx: what each asks the server,
// what it shows, where it goes.
const test = require("node:test");
const assert = require("node:assert/strict");
const { fakeWx } = require("./fake-wx");
const { openPage, settle, closePages } = require("./page-host");

const BASE = "http://127.0.0.1:8000"; // config.ts, 开发版
test.afterEach(closePages);

function signedIn(extra = {}) {
  const fake = fakeWx(extra);
  fake.storage.set("court.token", "tok-1");
  return fake;
}

const lawyer = { id: 5, role: "lawyer", name: "李律师", phone: "138****0000", id_number: "4401**********1234", verified: true, verification: { id: 1, status: "approved" } };
const approved = {
  id: 7, status: "approved", case_no: "（2021）粤01民初1号", court: "广东省广州市中级人民法院", applicant: { name: "李律师" },
  applied_at: "2022-05-07T09:00:00+08:00", scope: "全案卷宗", reason: "诉讼需要", materials: [],
  review: { reviewer: "中欣", reviewed_at: "2022-05-07T10:00:00+08:00", opinion: "approve", explanation: "予以同意", mode: "online" },
  reading: { mode: "online", valid_until: "2022-05-22", print: true },
  actions: ["view_dossier", "copy_link", "print", "access_log"],
};

test("登录: the phone is checked first; the token is kept and the reader goes back where they were", async () => {
  const fake = fakeWx();
  const page = openPage("pages/login/login", fake.wx);
  page.onLoad({ next: encodeURIComponent("/pages/applications/applications") });
  page.onInput({ currentTarget: { dataset: { field: "phone" } }, detail: { value: "1380000" } });
  await page.submit();
  assert.equal(page.data.problem, "手机号格式不正确，请输入11位手机号");
  assert.equal(fake.called("request").length, 0);

  fake.on("POST", "/api/v1/auth/login", { status: 200, data: { token: "tok-9", expires_at: "2030-01-01T00:00:00+08:00", user: lawyer } });
  page.onInput({ currentTarget: { dataset: { field: "phone" } }, detail: { value: "13800000000" } });
  page.onInput({ currentTarget: { dataset: { field: "password" } }, detail: { value: "Reading-2026" } });
  await page.submit();
  assert.equal(fake.called("request")[0].url, `${BASE}/api/v1/auth/login`);
  assert.equal(fake.storage.get("court.token"), "tok-9");
  assert.equal(fake.called("redirectTo")[0].url, "/pages/applications/applications");
});

test("阅卷申请: the list with 状态, then filtered by status", async () => {
  const fake = signedIn();
  fake.on("GET", "/api/v1/applications", (path) => ({
    status: 200,
    data: { items: path.includes("status=approved") ? [approved] : [approved, { ...approved, id: 8, status: "pending", review: null, reading: null, actions: ["withdraw"] }], next_cursor: null },
  }));
  const page = openPage("pages/applications/applications", fake.wx);
  page.onShow();
  await settle();
  assert.equal(fake.called("request")[0].url, `${BASE}/api/v1/applications?limit=20`);
  assert.equal(fake.called("request")[0].header.Authorization, "Bearer tok-1");
  assert.deepEqual(page.data.items.map((r) => [r.id, r.label, r.tone, r.date]), [["7", "通过", "green", "2022-05-07"], ["8", "待审查", "blue", "2022-05-07"]]);

  page.onFilter({ detail: { value: "2" } }); // 通过
  await settle();
  assert.equal(fake.called("request")[1].url, `${BASE}/api/v1/applications?status=approved&limit=20`);
  assert.equal(page.data.items.length, 1);
});

test("申请详情: 复制链接 puts the link on the clipboard; 打印 says it is done on the PC and copies it", async () => {
  const fake = signedIn();
  fake.on("GET", "/api/v1/applications/7", { status: 200, data: approved });
  fake.on("POST", "/api/v1/applications/7/dossier/links", { status: 201, data: { url: `${BASE}/r/abc`, expires_at: "2022-05-22T15:59:59Z" } });
  const page = openPage("pages/detail/detail", fake.wx, { id: "7" });
  page.onLoad({ id: "7" });
  page.onShow();
  await settle();
  assert.deepEqual(page.data.view.info.map((r) => r.label), ["案号", "承办法院", "申请人", "申请日期", "申请内容", "申请原因"]);
  assert.equal(page.data.view.reading.canView, true);

  await page.copyLink();
  assert.equal(fake.called("setClipboardData")[0].data, `${BASE}/r/abc`);
  assert.equal(fake.called("showToast")[0].title, "已复制链接");
  assert.equal(page.data.linkUntil, "2022-05-22 23:59:59");

  page.print();
  await settle();
  const dialog = fake.called("showModal")[0];
  assert.equal(dialog.title, "请在电脑上打印");
  assert.match(dialog.content, /电脑/);
  assert.equal(fake.called("setClipboardData").length, 2); // 复制链接, as the dialog offered

  page.viewDossier();
  assert.equal(fake.called("navigateTo")[0].url, "/pages/viewer/viewer?id=7");
});

test("查看案卷: pages come by wx.downloadFile with the bearer header, one at a time; an expired grant says so", async () => {
  const fake = signedIn();
  fake.on("GET", "/api/v1/applications/7/dossier", {
    status: 200,
    data: { case_no: "（2021）粤01民初1号", valid_until: "2022-05-22", volumes: [{ title: "正卷", documents: [{ id: 31, title: "起诉状", page_count: 2 }, { id: 32, title: "答辩状", page_count: 1 }] }] },
  });
  fake.on("GET", /\/pages\/[12]$/, { status: 200 });
  const page = openPage("pages/viewer/viewer", fake.wx, { id: "7" });
  await page.onLoad({ id: "7" });
  await settle();
  assert.equal(page.data.deadline, "（2021）粤01民初1号　有效截止日期 2022-05-22，逾期需重新申请");
  assert.deepEqual(page.data.docLabels, ["正卷 · 起诉状（2页）", "正卷 · 答辩状（1页）"]);
  const first = fake.called("downloadFile");
  assert.equal(first.length, 2, "the page, and the one after it fetched ahead");
  assert.equal(first[0].url, `${BASE}/api/v1/applications/7/dossier/documents/31/pages/1`);
  assert.equal(first[1].url, `${BASE}/api/v1/applications/7/dossier/documents/31/pages/2`);
  assert.equal(first[0].header.Authorization, "Bearer tok-1");
  assert.match(page.data.pagePath, /^wxfile:/);

  await page.next();
  assert.equal(page.data.page, 2);
  assert.match(page.data.pagePath, /^wxfile:/);
  assert.equal(fake.called("downloadFile").length, 2, "page 2 came from the fetch ahead, and it is the last: nothing more");
  await page.next(); // the last page of 起诉状: nowhere further, and never into 答辩状
  assert.equal(fake.called("downloadFile").length, 2);

  fake.on("GET", /\/pages\/1$/, { status: 410, data: { error: { code: "access_expired", message: "已过期" } } });
  await page.onDoc({ detail: { value: "1" } });
  assert.equal(page.data.problem, "已超过阅卷截止时间，无法查看卷宗，请重新申请阅卷。");
  assert.equal(page.data.pagePath, "");
});

test("申请 (律师): the four materials are asked for before sending; a case that needs binding leads to 案件绑定", async () => {
  const fake = signedIn();
  fake.on("GET", "/api/v1/me", { status: 200, data: lawyer });
  fake.on("GET", "/api/v1/my/cases", { status: 200, data: { items: [{ case_no: "（2021）粤01民初1号", court: "广州中院", status: "archived", relation: "lawyer_of_record" }], next_cursor: null } });
  fake.on("GET", "/api/v1/cases/lookup", (path) => ({
    status: 200,
    data: path.includes(encodeURIComponent("（2022）粤01民初9号"))
      ? { case_no: "（2022）粤01民初9号", court: "广州中院", status: "in_trial", relation: "none", can_apply: false, needs_binding: true }
      : { case_no: "（2021）粤01民初1号", court: "广州中院", status: "archived", relation: "lawyer_of_record", can_apply: true, needs_binding: false },
  }));
  const page = openPage("pages/apply/apply", fake.wx);
  await page.onLoad({});
  await settle();
  assert.deepEqual(page.data.materials.map((m) => [m.label, m.required]),
    [["执业证", true], ["律所介绍信或证明", true], ["当事人授权委托书或法律援助公函", true], ["当事人身份证明", true], ["其他材料", false]]);
  assert.deepEqual(page.data.caseLabels, ["（2021）粤01民初1号（已归档）"]);

  page.onPickCase({ detail: { value: "0" } });
  await settle();
  assert.equal(page.data.found.relation, "lawyer_of_record");
  page.onReason({ detail: { value: "诉讼需要" } });
  await page.submit();
  assert.equal(page.data.problem, "申请材料不齐，请补充上传后再提交：执业证、律所介绍信或证明、当事人授权委托书或法律援助公函、当事人身份证明");
  assert.equal(fake.called("request").filter((c) => c.method === "POST").length, 0);

  page.onCaseNo({ detail: { value: "(2022)粤01民初9号" } });
  await page.lookup();
  assert.equal(page.data.found.needs_binding, true);
  assert.equal(page.data.caseNo, "（2022）粤01民初9号");
  page.bindCase();
  assert.equal(fake.called("navigateTo")[0].url, `/pages/bind/bind?case_no=${encodeURIComponent("（2022）粤01民初9号")}`);
});

test("申请: materials go up by wx.uploadFile with their kind and progress, then the application with an Idempotency-Key", async () => {
  const fake = signedIn();
  fake.on("GET", "/api/v1/me", { status: 200, data: { ...lawyer, role: "party" } });
  fake.on("GET", "/api/v1/my/cases", { status: 200, data: { items: [], next_cursor: null } });
  fake.on("POST", "/api/v1/uploads", { status: 201, data: { id: "m-1", kind: "other", filename: "证明.pdf" }, progress: [50, 100] });
  fake.on("POST", "/api/v1/applications", { status: 201, data: { ...approved, id: 9, status: "pending", actions: ["withdraw"] } });
  fake.replies.chooseMessageFile = { tempFiles: [{ path: "wxfile://tmp/证明.pdf", name: "证明.pdf", size: 1000 }] };
  const page = openPage("pages/apply/apply", fake.wx);
  await page.onLoad({ case_no: encodeURIComponent("（2021）粤01民初1号") });
  fake.on("GET", "/api/v1/cases/lookup", { status: 200, data: { case_no: "（2021）粤01民初1号", court: "广州中院", status: "archived", relation: "party", can_apply: true, needs_binding: false } });
  await page.lookup();
  const progress = [];
  const setData = page.setData;
  page.setData = (patch) => {
    if (patch["materials[0]"] && patch["materials[0]"].uploading) progress.push(patch["materials[0]"].progress);
    setData(patch);
  };
  await page.chooseChat({ currentTarget: { dataset: { index: 0 } } });
  await settle();
  const upload = fake.called("uploadFile")[0];
  assert.deepEqual([upload.name, upload.formData, upload.header.Authorization], ["file", { kind: "other" }, "Bearer tok-1"]);
  assert.deepEqual(progress, [0, 50, 100]);
  assert.deepEqual(page.data.materials[0].items, [{ id: "m-1", filename: "证明.pdf" }]);

  page.onReason({ detail: { value: "诉讼需要" } });
  await page.submit();
  const sent = fake.called("request").find((c) => c.method === "POST");
  assert.deepEqual(sent.data, { case_no: "（2021）粤01民初1号", scope: "全案卷宗", reason: "诉讼需要", material_ids: ["m-1"] });
  assert.ok(sent.header["Idempotency-Key"]);
  assert.equal(fake.called("redirectTo")[0].url, "/pages/detail/detail?id=9");
});

// A page with 获取验证码 (注册, 找回密码), loaded, the server sending codes; `typePhone`
// types into its phone field. The countdown's timer is stopped when `drive` is done.
async function withCodePage(route, drive) {
  const fake = fakeWx();
  fake.on("POST", "/api/v1/auth/sms-codes", { status: 202, data: {} });
  const page = openPage(route, fake.wx);
  page.onLoad();
  const typePhone = (value) => page.onInput({ currentTarget: { dataset: { field: "phone" } }, detail: { value } });
  try {
    await drive(page, fake, typePhone);
  } finally {
    page.onUnload();
  }
}

test("注册: 获取验证码 counts down 60 seconds once the code is sent", () =>
  withCodePage("pages/signup/signup", async (page, fake, typePhone) => {
    typePhone("13800001234");
    await page.sendCode();
    assert.deepEqual(fake.called("request")[0].data, { phone: "13800001234", purpose: "register" });
    assert.equal(page.data.codeLabel, "重新获取（60s）");
    assert.equal(page.data.codeWaiting, true);
    assert.equal(page.data.codeNote, "验证码已发送至 138****1234，10分钟内有效。");
    await page.submit(); // nothing else filled in: the form says what, the server is not asked
    assert.equal(fake.called("request").length, 1);
    assert.equal(page.data.problem, "请填写姓名（与身份证一致）");
  }));

test("a dead token sends the reader to 登录, coming back to the page afterwards", async () => {
  const fake = signedIn();
  fake.on("GET", "/api/v1/applications", { status: 401, data: { error: { code: "unauthenticated", message: "登录已失效" } } });
  const page = openPage("pages/applications/applications", fake.wx);
  page.onShow();
  await settle();
  assert.equal(fake.storage.has("court.token"), false);
  assert.equal(fake.called("redirectTo")[0].url, `/pages/login/login?next=${encodeURIComponent("/pages/applications/applications")}`);
  assert.equal(fake.called("showModal").length, 0, "no dialog on top of the sign-in");
});

test("我的案件: 申请阅卷 for each case, 查阅记录 for a party's own", async () => {
  const fake = signedIn();
  fake.on("GET", "/api/v1/me", { status: 200, data: { ...lawyer, role: "party" } });
  fake.on("GET", "/api/v1/my/cases", { status: 200, data: { items: [{ case_no: "（2021）粤01民初1号", court: "广州中院", cause: "合同纠纷", status: "in_trial", relation: "party" }], next_cursor: null } });
  const page = openPage("pages/cases/cases", fake.wx);
  await page.onLoad();
  await settle();
  assert.deepEqual(page.data.items, [{ case_no: "（2021）粤01民初1号", facts: "广州中院 · 合同纠纷 · 审理中", relationLabel: "当事人", canApply: true, canSeeReads: true }]);
  page.reads({ currentTarget: { dataset: { case: "（2021）粤01民初1号" } } });
  assert.equal(fake.called("navigateTo")[0].url, `/pages/reads/reads?case_no=${encodeURIComponent("（2021）粤01民初1号")}`);
});

test("退出所有设备 asks the server to end every sign-in, then forgets the token", async () => {
  const fake = signedIn();
  fake.on("GET", "/api/v1/me", { status: 200, data: lawyer });
  fake.on("POST", "/api/v1/auth/logout", { status: 204 });
  const page = openPage("pages/reading/reading", fake.wx);
  page.onShow();
  await settle();
  assert.equal(page.data.verificationLabel, "已认证");
  await page.signOutEverywhere();
  const logout = fake.called("request").find((c) => c.method === "POST");
  assert.deepEqual(logout.data, { everywhere: true });
  assert.equal(fake.storage.has("court.token"), false);
  assert.equal(page.data.user, null);
});

test("查看案卷: a quick sideways swipe turns the page; a slow or mostly vertical one does not", () => {
  const { swipeDirection } = require("./load")("utils/swipe.js");
  const at = (x, y, t) => ({ x, y, at: t });
  assert.equal(swipeDirection(at(300, 100, 0), at(200, 110, 300)), 1); // leftwards: next page
  assert.equal(swipeDirection(at(100, 100, 0), at(220, 90, 300)), -1); // rightwards: previous
  assert.equal(swipeDirection(at(300, 100, 0), at(200, 110, 2000)), 0); // too slow: a pan
  assert.equal(swipeDirection(at(300, 100, 0), at(230, 180, 300)), 0); // mostly vertical: a scroll
  assert.equal(swipeDirection(at(300, 100, 0), at(270, 100, 100)), 0); // too short: a tap
});

test("查看案卷 opens where the reader left off (继续阅读), and 从第1页开始 goes back", async () => {
  const fake = signedIn();
  fake.on("GET", "/api/v1/applications/7/dossier", {
    status: 200,
    data: { case_no: "（2021）粤01民初1号", valid_until: "2022-05-22", volumes: [{ title: "正卷", documents: [{ id: 31, title: "起诉状", page_count: 2 }, { id: 32, title: "答辩状", page_count: 3 }] }] },
  });
  fake.on("GET", /\/pages\/\d+$/, { status: 200 });
  let page = openPage("pages/viewer/viewer", fake.wx, { id: "7" });
  await page.onLoad({ id: "7" });
  await page.onDoc({ detail: { value: "1" } });
  await page.next();
  await settle();
  assert.deepEqual(fake.storage.get("court.reading-place:7"), { doc: "32", page: 2 });

  page = openPage("pages/viewer/viewer", fake.wx, { id: "7" }); // the next visit
  await page.onLoad({ id: "7" });
  assert.equal(page.data.resumed, "已从上次阅读的位置继续：《答辩状》第2页。");
  // the page the reader left, then the one after it fetched ahead
  assert.match(fake.called("downloadFile").at(-2).url, /documents\/32\/pages\/2$/);
  assert.match(fake.called("downloadFile").at(-1).url, /documents\/32\/pages\/3$/);
  page.fromStart();
  await settle();
  assert.match(fake.called("downloadFile").at(-2).url, /documents\/31\/pages\/1$/);
  assert.equal(page.data.resumed, "");
});

test("站内信 a page at a time: 加载更多 and the bottom of the list ask for the next, pull-down starts again", async () => {
  const fake = signedIn();
  const message = (id) => ({ id, title: `通知${id}`, body: "", at: "2022-05-07T09:00:00+08:00", read: true, application_id: null });
  fake.on("GET", "/api/v1/messages", (path) => ({
    status: 200,
    data: path.includes("cursor=c2") ? { items: [message(3)], next_cursor: null } : { items: [message(1), message(2)], next_cursor: "c2" },
  }));
  const page = openPage("pages/messages/messages", fake.wx);
  page.onShow();
  await settle();
  assert.deepEqual(page.data.items.map((m) => m.id), [1, 2]);
  assert.equal(page.data.cursor, "c2");
  assert.equal(page.data.loading, false);
  page.onReachBottom();
  await settle();
  assert.equal(fake.called("request")[1].url, `${BASE}/api/v1/messages?limit=20&cursor=c2`);
  assert.deepEqual(page.data.items.map((m) => m.id), [1, 2, 3]);
  assert.equal(page.data.cursor, null);
  page.onReachBottom(); // the last page is shown: nothing more to ask
  assert.equal(fake.called("request").length, 2);

  page.onPullDownRefresh();
  await settle();
  assert.equal(fake.called("request")[2].url, `${BASE}/api/v1/messages?limit=20`);
  assert.deepEqual(page.data.items.map((m) => m.id), [1, 2]);
  assert.equal(fake.called("stopPullDownRefresh").length, 1);
});

test("查阅记录 and 阅卷记录 number their rows across pages; a refusal is a dialog and the rows stay", async () => {
  const fake = signedIn();
  const read = { date: "2022-05-08", reader: { name: "李律师", role: "lawyer" }, documents: ["起诉状"], pages: 3, prints: 0 };
  fake.queue({ status: 200, data: { items: [read, read], next_cursor: "c2" } }, { status: 200, data: { items: [read], next_cursor: null } });
  const reads = openPage("pages/reads/reads", fake.wx);
  reads.onLoad({ case_no: encodeURIComponent("（2021）粤01民初1号") });
  await settle();
  await reads.more();
  assert.deepEqual(reads.data.items.map((r) => r.key), ["0", "1", "2"]);
  assert.equal(reads.data.items[0].who, "李律师（律师）");

  const entry = { at: "2022-05-08T10:02:11+08:00", actor: "李律师", action: "view_page", document_title: "起诉状", page: 3 };
  fake.queue(
    { status: 200, data: { items: [entry], next_cursor: "c2" } },
    { status: 500, data: { error: { code: "internal_error", message: "" } } },
    { status: 200, data: { items: [entry], next_cursor: null } },
  );
  const detail = openPage("pages/detail/detail", fake.wx);
  detail.onLoad({ id: "7" });
  await detail.moreLog();
  assert.equal(fake.calls.at(-1).url, `${BASE}/api/v1/applications/7/access-log?limit=20`);
  await detail.moreLog();
  assert.equal(fake.called("showModal").length, 1);
  assert.deepEqual([detail.data.log.length, detail.data.logCursor, detail.data.logLoading], [1, "c2", false]);
  await detail.moreLog();
  assert.deepEqual(detail.data.log.map((r) => [r.key, r.line]), [["0", "李律师 查看《起诉状》第3页"], ["1", "李律师 查看《起诉状》第3页"]]);
  assert.deepEqual([detail.data.logCursor, detail.data.logLoaded], [null, true]);
});

test("找回密码: 获取验证码 checks the phone first, then asks for a reset_password code and counts down", () =>
  withCodePage("pages/reset/reset", async (page, fake, typePhone) => {
    typePhone("1380000");
    await page.sendCode();
    assert.equal(fake.called("request").length, 0);
    assert.deepEqual([page.data.codeNote, page.data.codeOk, page.data.codeWaiting], ["手机号格式不正确，请输入11位手机号。", false, false]);
    typePhone("13800001234");
    await page.sendCode();
    assert.deepEqual(fake.called("request")[0].data, { phone: "13800001234", purpose: "reset_password" });
    assert.deepEqual([page.data.codeLabel, page.data.codeWaiting, page.data.codeOk], ["重新获取（60s）", true, true]);
    await page.sendCode(); // still counting down: no second code
    assert.equal(fake.called("request").length, 1);
  }));
