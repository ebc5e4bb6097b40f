"use strict";
// The pages rendered by WeChat's own component framework (exparser, through j-component
// and miniprogram-simulate), their WXML compiled by wcc: what a reader sees for the data
// the server gives, and what a tap on a rendered button does. In WeChat a page is a
// component of the same framework, so each Page() is registered as one here; `wx` is the
// fake of fake-wx.js.
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { JSDOM } = require("jsdom");

const jsdom = new JSDOM("<!doctype html><html><body></body></html>", { pretendToBeVisual: true });
for (const name of ["window", "document", "Node", "Element", "HTMLElement", "Event", "CustomEvent", "MutationObserver", "getComputedStyle"]) {
  global[name] = name === "window" ? jsdom.window : jsdom.window[name];
}
const simulate = require("miniprogram-simulate");
const { fakeWx } = require("./fake-wx");
const { laidOut } = require("./layout");
const { settle } = require("./page-host");

const ROOT = laidOut({ withJs: true });
test.after(() => fs.rmSync(ROOT, { recursive: true, force: true }));

global.getCurrentPages = () => [];
global.Page = (options) => {
  const methods = {};
  for (const [name, value] of Object.entries(options)) if (typeof value === "function") methods[name] = value;
  global.Component({ data: options.data, methods });
};

// app.json's usingComponents hold for every page, as in WeChat, where an npm name resolves
// to miniprogram_npm/ (构建 npm put it there). The simulator reads a page's own .json only,
// so the laid-out copy's page configs get them written in.
const app = JSON.parse(fs.readFileSync(path.join(ROOT, "app.json"), "utf8"));
const GLOBAL_COMPONENTS = Object.fromEntries(Object.entries(app.usingComponents || {}).map(([tag, target]) => [tag, `/miniprogram_npm/${target}`]));
for (const page of app.pages) {
  const file = path.join(ROOT, `${page}.json`);
  const config = JSON.parse(fs.readFileSync(file, "utf8"));
  config.usingComponents = { ...GLOBAL_COMPONENTS, ...(config.usingComponents || {}) };
  fs.writeFileSync(file, JSON.stringify(config));
}

/** Renders `page` with a fresh copy of the app's modules, over `fake`'s wx. */
function render(page, fake) {
  for (const key of Object.keys(require.cache)) if (key.startsWith(ROOT)) delete require.cache[key];
  global.wx = fake.wx;
  const id = simulate.load(path.join(ROOT, page), { rootPath: ROOT });
  const comp = simulate.render(id);
  comp.attach(document.createElement("div"));
  return comp;
}

const text = (comp) => comp.dom.textContent.replace(/\s+/g, " ");
const buttons = (comp) => [...comp.dom.querySelectorAll("wx-button")].map((b) => b.textContent.trim());
// (exparser's selectors are classes and ids, so the buttons a test taps carry a class)
function tap(comp, selector) {
  const button = comp.querySelector(selector);
  assert.ok(button, `a button ${selector}`);
  button.dispatchEvent("tap");
}

function signedIn() {
  const fake = fakeWx();
  fake.storage.set("court.token", "tok-1");
  return fake;
}

const online = {
  id: 7, status: "approved", case_no: "（2021）粤01民初1号", court: "广东省广州市中级人民法院", applicant: { name: "金家慧余" },
  applied_at: "2022-05-07T09:00:00+08:00", scope: "全案卷宗", reason: "测试", materials: [{ id: "m1", kind: "license", filename: "执业证.pdf" }],
  review: { reviewer: "中欣", reviewed_at: "2022-05-07T10:00:00+08:00", opinion: "approve", explanation: "申请符合法律规定，予以同意", mode: "online" },
  reading: { mode: "online", valid_until: "2022-05-22", print: true },
  actions: ["view_dossier", "copy_link", "print", "access_log"],
};

test("申请详情 (图13): the four blocks in the manual's order; 查看案卷, 复制链接, 打印; 复制链接 tapped copies the link", async () => {
  const fake = signedIn();
  fake.on("GET", "/api/v1/applications/7", { status: 200, data: online });
  fake.on("POST", "/api/v1/applications/7/dossier/links", { status: 201, data: { url: "http://127.0.0.1:8000/r/abc", expires_at: "2022-05-22T15:59:59Z" } });
  const comp = render("pages/detail/detail", fake);
  comp.instance.onLoad({ id: "7" });
  comp.instance.onShow();
  await settle();
  const seen = text(comp);
  const order = ["状态：通过", "申请信息", "案号", "承办法院", "申请人", "申请日期", "申请内容", "申请原因", "审查信息", "审查人", "审查日期",
    "审查意见", "审查意见说明", "阅卷方式", "在线阅卷", "申请材料", "执业证", "阅卷材料", "有效截止日期", "2022-05-22"];
  let at = -1;
  for (const words of order) {
    const next = seen.indexOf(words, at + 1);
    assert.ok(next > at, `${words} after the one before, in: ${seen}`);
    at = next;
  }
  assert.deepEqual(buttons(comp).slice(0, 3), ["查看案卷", "复制链接", "打印"]);
  assert.ok(!buttons(comp).includes("撤回申请"));

  tap(comp, ".action-copy");
  await settle();
  assert.equal(fake.called("setClipboardData")[0].data, "http://127.0.0.1:8000/r/abc");
  assert.match(text(comp), /已复制链接（2022-05-22 23:59:59前有效）/);
});

test("申请详情 (图14), on site: 温馨提示 and the window; no 查看案卷; 预约阅卷时间 offered", async () => {
  const fake = signedIn();
  fake.on("GET", "/api/v1/applications/8", { status: 200, data: { ...online, id: 8,
    review: { ...online.review, mode: "onsite" },
    reading: { mode: "onsite", start_date: "2022-05-18", end_date: "2022-05-19", notice: "现场阅卷需要带齐相关证明材料", attended: true,
      borrowed_at: "2022-05-17T16:07:00Z", returned_at: "2022-05-17T16:07:00Z", booking: null }, actions: ["book_onsite"] } });
  const comp = render("pages/detail/detail", fake);
  comp.instance.onLoad({ id: "8" });
  comp.instance.onShow();
  await settle();
  const seen = text(comp);
  for (const words of ["温馨提示：现场阅卷需要带齐相关证明材料", "起始时间2022-05-18", "截止时间2022-05-19", "是否到场是", "借阅时间2022-05-18 00:07:00", "还卷时间2022-05-18 00:07:00", "预约阅卷时间"]) {
    assert.ok(seen.includes(words), `${words} in: ${seen}`);
  }
  assert.ok(!buttons(comp).includes("查看案卷"));
  assert.ok(buttons(comp).includes("查看可预约时段"));
});

test("阅卷申请: each row's 案号 and its 状态 tag in the manual's word and colour; 申请 at the bottom", async () => {
  const fake = signedIn();
  fake.on("GET", "/api/v1/applications", { status: 200, data: { items: [online, { ...online, id: 9, status: "returned", actions: ["correct", "reapply"] }], next_cursor: null } });
  const comp = render("pages/applications/applications", fake);
  comp.instance.onShow();
  await settle();
  const rows = [...comp.dom.querySelectorAll("wx-navigator")];
  assert.equal(rows.length, 2);
  assert.match(rows[0].textContent, /（2021）粤01民初1号.*通过/s);
  const tags = [...comp.dom.querySelectorAll("wx-text")].filter((t) => /tag-/.test(t.className)).map((t) => [t.textContent, t.className.match(/tag-(\w+)/)[1]]);
  assert.deepEqual(tags, [["通过", "green"], ["退回补正", "orange"]]);
  assert.ok(buttons(comp).includes("申请"));
});

test("实名认证 未通过: the reason, and the upload again; 已认证: no upload", async () => {
  const fake = signedIn();
  const user = { id: 1, role: "party", name: "张三", phone: "138****0000", id_number: "1101**********002X", verified: false,
    verification: { id: 3, status: "rejected", explanation: "照片不清晰" } };
  fake.on("GET", "/api/v1/me", { status: 200, data: user });
  const comp = render("pages/verify/verify", fake);
  comp.instance.onShow();
  await settle();
  assert.match(text(comp), /认证状态 ?未通过/);
  assert.match(text(comp), /未通过原因 ?照片不清晰/);
  assert.ok(buttons(comp).includes("提交实名认证"));

  fake.on("GET", "/api/v1/me", { status: 200, data: { ...user, verified: true, verification: { id: 3, status: "approved" } } });
  comp.instance.onShow();
  await settle();
  assert.match(text(comp), /您已完成实名认证/);
  assert.ok(!buttons(comp).includes("提交实名认证"));
});

test("手机阅卷 (图2): 阅卷申请 and the rest as weui cells; 案件绑定 for a lawyer; 实名认证 with its state", async () => {
  const fake = signedIn();
  fake.on("GET", "/api/v1/me", { status: 200, data: { id: 1, role: "lawyer", name: "李律师", phone: "138****0000", verified: false, verification: { id: 2, status: "pending" } } });
  const comp = render("pages/reading/reading", fake);
  comp.instance.onShow();
  await settle();
  const seen = text(comp);
  let at = -1;
  for (const words of ["实名认证审核中", "阅卷申请", "我的案件", "站内信", "案件绑定", "实名认证", "审核中", "姓名", "李律师（律师）", "修改密码"]) {
    const next = seen.indexOf(words, at + 1);
    assert.ok(next > at, `${words} after the one before, in: ${seen}`);
    at = next;
  }
  assert.deepEqual(buttons(comp), ["退出登录", "退出所有设备"]);
});
