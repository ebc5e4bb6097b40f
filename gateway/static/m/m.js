// 手机阅卷: the mobile client, laid out like the 广州微法院 mini-program
// (公众服务 → 手机阅卷 → 阅卷申请).
import {
  ApiFailure, LABELS, accountSummary, api, bindingList, button, caseReads, changePasswordForm, createRouter, dossierViewer, errorBox, messagesList, errorText, fmtDate,
  h, largeTextToggle, loginForm, me, myCasesList, pagedList, readerScreens, resetPasswordForm, STATUSES, safeNext, signOut, signOutBlock, signupForm, statusTag, toast,
  verificationBanner, verificationPanel, verificationState, verificationTag,
} from "/static/common.js";

const VERIFY = "/m/verify";
const screens = readerScreens("/m", () => router);

const root = document.getElementById("app");
const title = document.getElementById("page-title");
const back = document.getElementById("back");
document.querySelector(".mp-bar").append(largeTextToggle());

function frame(heading, backTo) {
  title.textContent = heading;
  back.hidden = !backTo;
  if (backTo) back.setAttribute("href", backTo);
}

// `fresh`: read the account again (实名认证 may have been decided since the page loaded)
async function signedIn(fresh = false) {
  const user = await me(fresh);
  if (!["party", "lawyer"].includes(user.role)) {
    await signOut();
    throw new ApiFailure(401, "unauthenticated", "");
  }
  return user;
}

const routes = [
  [/^\/m\/?$/, async (el) => {
    frame("广州微法院");
    el.replaceChildren(h("h1", { class: "section-title" }, "公众服务"),
      h("div", { class: "grid" },
        h("a", { href: "/m/reading", "data-nav": true, class: "grid-item" }, h("span", { class: "grid-icon" }, "卷"), "手机阅卷"),
        ...["诉讼指南", "联系法官", "案件查询", "电子送达", "缴费"].map((t) => h("span", { class: "grid-item disabled", "aria-disabled": "true" }, h("span", { class: "grid-icon" }, t[0]), t))));
  }],
  [/^\/m\/reading$/, async (el) => {
    frame("手机阅卷", "/m/");
    const user = await signedIn(true);
    const state = verificationState(user).status;
    el.replaceChildren(h("h1", { class: "section-title" }, "手机阅卷"), verificationBanner(user, VERIFY),
      h("div", { class: "weui-cells" },
        h("a", { href: "/m/applications", "data-nav": true, class: "weui-cell weui-cell_access" }, h("span", { class: "weui-cell__bd" }, "阅卷申请"), h("span", { class: "weui-cell__ft" })),
        h("a", { href: "/m/cases", "data-nav": true, class: "weui-cell weui-cell_access" }, h("span", { class: "weui-cell__bd" }, "我的案件"), h("span", { class: "weui-cell__ft" })),
        h("a", { href: "/m/messages", "data-nav": true, class: "weui-cell weui-cell_access" }, h("span", { class: "weui-cell__bd" }, "站内信"), h("span", { class: "weui-cell__ft" })),
        user.role === "lawyer" ? h("a", { href: "/m/bindings", "data-nav": true, class: "weui-cell weui-cell_access" }, h("span", { class: "weui-cell__bd" }, "案件绑定"), h("span", { class: "weui-cell__ft" })) : null,
        h("a", { href: VERIFY, "data-nav": true, class: "weui-cell weui-cell_access" }, h("span", { class: "weui-cell__bd" }, "实名认证"), h("span", { class: "weui-cell__ft" }, verificationTag(state))),
        h("a", { href: "/m/me", "data-nav": true, class: "weui-cell weui-cell_access" }, h("span", { class: "weui-cell__bd" }, "我的"), h("span", { class: "weui-cell__ft" }))),
      h("p", { class: "muted user-line" }, `${user.name}（${LABELS.role[user.role]}）`, " ", h("a", { href: "#", id: "sign-out" }, "退出登录")));
    el.querySelector("#sign-out").addEventListener("click", async (e) => {
      e.preventDefault();
      await signOut();
      router.go("/m/");
    });
  }],
  [/^\/m\/applications$/, async (el) => {
    frame("阅卷申请", "/m/reading");
    const user = await signedIn(true);
    const status = new URLSearchParams(location.search).get("status") || "";
    const filter = h("select", { id: "status-filter", class: "weui-select status-filter", "aria-label": "按状态筛选" }, h("option", { value: "" }, "全部状态"),
      STATUSES.map((s) => h("option", { value: s, selected: s === status }, LABELS.status[s])));
    filter.addEventListener("change", () => router.go(`/m/applications${filter.value ? `?status=${filter.value}` : ""}`));
    const row = (a) => h("a", { href: `/m/applications/${a.id}`, "data-nav": true, class: "weui-cell weui-cell_access app-row", "data-id": a.id },
      h("div", { class: "weui-cell__bd" }, h("p", { class: "case-no" }, a.case_no), h("p", { class: "muted" }, `${a.court} · ${fmtDate(a.applied_at)} · ${a.scope}`)),
      h("div", { class: "weui-cell__ft" }, statusTag(a.status)));
    const list = h("div", { class: "weui-cells app-list" });
    const pages = pagedList("/api/v1/applications", row, {
      params: { status }, list, empty: h("p", { class: "empty" }, status ? "没有该状态的申请。" : "暂无阅卷申请，点击下方“申请”提交。"),
    });
    await pages.load();
    el.replaceChildren(h("h1", { class: "section-title" }, "阅卷申请"), verificationBanner(user, VERIFY),
      h("div", { class: "weui-cells list-filter" }, h("div", { class: "weui-cell weui-cell_select" }, h("div", { class: "weui-cell__bd" }, filter))),
      pages.element,
      h("div", { class: "bottom-bar" }, button("申请", () => router.go("/m/applications/new"), "primary", { "data-action": "apply" })));
  }],
  [/^\/m\/cases$/, async (el) => {
    frame("我的案件", "/m/reading");
    const user = await signedIn(true);
    el.replaceChildren(h("h1", { class: "section-title" }, "我的案件"), verificationBanner(user, VERIFY), await myCasesList(user, "/m"));
  }],
  [/^\/m\/cases\/([^/]+)\/reads$/, async (el, encoded) => {
    frame("查阅记录", "/m/cases");
    await signedIn();
    const caseNo = decodeURIComponent(encoded);
    el.replaceChildren(h("h1", { class: "section-title" }, `${caseNo} · 谁查阅了本案`), await caseReads(caseNo));
  }],
  [/^\/m\/applications\/new$/, async (el) => {
    frame("申请阅卷", "/m/applications");
    const user = await signedIn(true);
    el.replaceChildren(...screens.newApplication(user));
  }],
  [/^\/m\/applications\/(\d+)$/, async (el, id) => {
    frame("申请详情", "/m/applications");
    await signedIn();
    const app = await api("GET", `/api/v1/applications/${id}`);
    el.replaceChildren(h("h1", { class: "sr-only" }, "申请详情"), screens.detail(el, id, app));
  }],
  [/^\/m\/applications\/(\d+)\/correct$/, async (el, id) => {
    frame("补正", `/m/applications/${id}`);
    const user = await signedIn();
    const app = await api("GET", `/api/v1/applications/${id}`);
    el.replaceChildren(screens.correction(id, app, user));
  }],
  [/^\/m\/applications\/(\d+)\/dossier$/, async (el, id) => {
    frame("查看案卷", `/m/applications/${id}`);
    await signedIn();
    await dossierViewer(el, id, {});
  }],
  [/^\/m\/bindings$/, async (el) => {
    frame("案件绑定", "/m/reading");
    await signedIn();
    el.replaceChildren(h("h1", { class: "section-title" }, "案件绑定"), await bindingList(),
      h("div", { class: "bottom-bar" }, button("申请绑定", () => router.go("/m/bindings/new"), "primary")));
  }],
  [/^\/m\/bindings\/new$/, async (el) => {
    frame("申请案件绑定", "/m/bindings");
    await signedIn();
    el.replaceChildren(screens.newBinding());
  }],
  [/^\/m\/messages$/, async (el) => {
    frame("站内信", "/m/reading");
    await signedIn();
    el.replaceChildren(h("h1", { class: "section-title" }, "站内信"), await messagesList((id) => `/m/applications/${id}`, (p) => router.go(p)));
  }],
  [/^\/m\/login$/, async (el) => {
    frame("登录", "/m/");
    const next = safeNext(new URLSearchParams(location.search).get("next"), "/m/reading");
    el.replaceChildren(loginForm({
      heading: "登录", roles: ["party", "lawyer"], signupPath: `/m/signup?next=${encodeURIComponent(next)}`, resetPath: `/m/reset?next=${encodeURIComponent(next)}`,
      onDone: () => router.replace(next),
    }));
  }],
  [/^\/m\/signup$/, async (el) => {
    frame("注册", "/m/login");
    const next = safeNext(new URLSearchParams(location.search).get("next"), "/m/reading");
    // 实名认证 is the next step after sign-up
    el.replaceChildren(signupForm({ loginPath: "/m/login", onDone: () => router.replace(`${VERIFY}?next=${encodeURIComponent(next)}`) }));
  }],
  [/^\/m\/reset$/, async (el) => {
    frame("找回密码", "/m/login");
    const next = safeNext(new URLSearchParams(location.search).get("next"), "/m/reading");
    el.replaceChildren(resetPasswordForm({
      loginPath: "/m/login",
      onDone: (phone) => router.replace(`/m/login?phone=${encodeURIComponent(phone)}&next=${encodeURIComponent(next)}`),
    }));
  }],
  [/^\/m\/verify$/, async (el) => {
    frame("实名认证", "/m/reading");
    const user = await signedIn(true);
    const next = safeNext(new URLSearchParams(location.search).get("next"), "/m/reading");
    el.replaceChildren(verificationPanel(user, { refresh: () => router.render(), next }));
  }],
  [/^\/m\/me$/, async (el) => {
    frame("我的", "/m/reading");
    const user = await signedIn(true);
    el.replaceChildren(h("h1", { class: "section-title" }, "我的"), accountSummary(user, VERIFY),
      h("div", { class: "weui-cells" },
        h("a", { href: "/m/password", "data-nav": true, class: "weui-cell weui-cell_access" }, h("span", { class: "weui-cell__bd" }, "修改密码"), h("span", { class: "weui-cell__ft" }))),
      signOutBlock(() => router.go("/m/")));
  }],
  [/^\/m\/password$/, async (el) => {
    frame("修改密码", "/m/me");
    await signedIn();
    el.replaceChildren(h("h1", { class: "sr-only" }, "修改密码"), changePasswordForm());
  }],
];

const router = createRouter(routes, root);
router.loginPath = "/m/login";
router.verifyPath = VERIFY;
window.addEventListener("unhandledrejection", (e) => toast(errorText(e.reason), true));
router.render().catch((err) => root.replaceChildren(errorBox(err)));
