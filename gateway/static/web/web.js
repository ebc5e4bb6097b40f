// 电子诉讼服务中心: the web center on a PC. After sign-in, 网上阅卷 leads to the 阅卷申请
// table; the dossier viewer is where copied links (/r/<token>) land.
import {
  ApiFailure, LABELS, accountSummary, api, bindingList, button, caseReads, changePasswordForm, createRouter, dossierViewer, errorBox, messagesList, errorText, fmtDate,
  h, largeTextToggle, loginForm, me, myCasesList, pagedList, readerScreens, STATUSES, resetPasswordForm, safeNext, signOut, signOutBlock, signupForm, statusTag, toast,
  verificationBanner, verificationPanel,
} from "/static/common.js";

const VERIFY = "/web/verify";
const screens = readerScreens("/web", () => router);

const root = document.getElementById("app");
const nav = document.getElementById("nav");
nav.after(largeTextToggle());

// `fresh`: read the account again (实名认证 may have been decided since the page loaded)
async function signedIn(fresh = false) {
  const user = await me(fresh);
  if (!["party", "lawyer"].includes(user.role)) {
    await signOut();
    throw new ApiFailure(401, "unauthenticated", "");
  }
  renderNav(user);
  return user;
}

function renderNav(user) {
  const out = h("a", { href: "#", id: "sign-out" }, "退出登录");
  out.addEventListener("click", async (e) => {
    e.preventDefault();
    await signOut();
    renderNav(null);
    router.go("/web/");
  });
  nav.replaceChildren(...[
    h("a", { href: "/web/applications", "data-nav": true, "aria-current": location.pathname.startsWith("/web/applications") ? "page" : null }, "网上阅卷"),
    user ? h("a", { href: "/web/cases", "data-nav": true, "aria-current": location.pathname.startsWith("/web/cases") ? "page" : null }, "我的案件") : null,
    user && user.role === "lawyer" ? h("a", { href: "/web/bindings", "data-nav": true }, "案件绑定") : null,
    user ? h("a", { href: "/web/messages", "data-nav": true }, "站内信") : null,
    // the name leads to 我的 (账号信息, 实名认证, 修改密码, 退出所有设备)
    user ? h("a", { href: "/web/account", "data-nav": true, class: "who", title: "我的：账号与安全", "aria-current": location.pathname === "/web/account" ? "page" : null }, `${user.name}（${LABELS.role[user.role]}）`)
      : h("a", { href: "/web/login", "data-nav": true }, "登录"),
    user ? out : h("a", { href: "/web/signup", "data-nav": true }, "注册"),
  ].filter(Boolean));
}

const routes = [
  [/^\/web\/?$/, async (el) => {
    let user = null;
    try {
      user = await me();
    } catch {
      user = null;
    }
    renderNav(user && ["party", "lawyer"].includes(user.role) ? user : null);
    el.replaceChildren(h("h1", {}, "广州法院电子诉讼服务中心"),
      h("div", { class: "tiles" },
        h("a", { href: "/web/applications", "data-nav": true, class: "tile" }, h("strong", {}, "网上阅卷"), h("span", {}, "申请查阅案件卷宗，在线查看、打印")),
        h("span", { class: "tile disabled" }, h("strong", {}, "网上立案"), h("span", {}, "（本系统不含）")),
        h("span", { class: "tile disabled" }, h("strong", {}, "电子送达"), h("span", {}, "（本系统不含）"))));
  }],
  [/^\/web\/applications$/, async (el) => {
    const user = await signedIn(true);
    const status = new URLSearchParams(location.search).get("status") || "";
    const filter = h("select", { id: "status-filter", "aria-label": "按状态筛选" }, h("option", { value: "" }, "全部状态"),
      STATUSES.map((s) => h("option", { value: s, selected: s === status }, LABELS.status[s])));
    filter.addEventListener("change", () => router.go(`/web/applications${filter.value ? `?status=${filter.value}` : ""}`));
    const row = (a) => h("tr", { "data-id": a.id },
      h("td", {}, a.case_no), h("td", {}, a.court), h("td", {}, fmtDate(a.applied_at)), h("td", {}, a.scope), h("td", {}, statusTag(a.status)),
      h("td", {}, h("a", { href: `/web/applications/${a.id}`, "data-nav": true, class: "btn btn-link" }, "查看")));
    const body = h("tbody", {});
    const pages = pagedList("/api/v1/applications", row, {
      params: { status },
      list: body,
      shell: h("table", { class: "grid-table app-list" },
        h("thead", {}, h("tr", {}, ["案号", "承办法院", "申请日期", "申请内容", "状态", "操作"].map((t) => h("th", { scope: "col" }, t)))), body),
      empty: h("p", { class: "empty" }, status ? "没有该状态的申请。" : "暂无阅卷申请，点击“申请”提交。"),
    });
    await pages.load();
    el.replaceChildren(h("h1", {}, "网上阅卷 · 阅卷申请"), verificationBanner(user, VERIFY),
      h("div", { class: "list-tools" }, button("申请", () => router.go("/web/applications/new"), "primary", { "data-action": "apply" }), filter),
      pages.element);
  }],
  [/^\/web\/cases$/, async (el) => {
    const user = await signedIn(true);
    el.replaceChildren(h("h1", {}, "我的案件"), verificationBanner(user, VERIFY), await myCasesList(user, "/web", { table: true }));
  }],
  [/^\/web\/cases\/([^/]+)\/reads$/, async (el, encoded) => {
    await signedIn();
    const caseNo = decodeURIComponent(encoded);
    el.replaceChildren(h("h1", {}, `谁查阅了我的案件 · ${caseNo}`), h("a", { href: "/web/cases", "data-nav": true, class: "back" }, "返回我的案件"),
      await caseReads(caseNo, { table: true }));
  }],
  [/^\/web\/applications\/new$/, async (el) => {
    const user = await signedIn(true);
    el.replaceChildren(...screens.newApplication(user));
  }],
  [/^\/web\/applications\/(\d+)$/, async (el, id) => {
    await signedIn();
    const app = await api("GET", `/api/v1/applications/${id}`);
    el.replaceChildren(h("h1", {}, "申请详情"), h("a", { href: "/web/applications", "data-nav": true, class: "back" }, "返回列表"), screens.detail(el, id, app));
  }],
  [/^\/web\/applications\/(\d+)\/correct$/, async (el, id) => {
    const user = await signedIn();
    const app = await api("GET", `/api/v1/applications/${id}`);
    el.replaceChildren(h("a", { href: `/web/applications/${id}`, "data-nav": true, class: "back" }, "返回申请详情"), screens.correction(id, app, user));
  }],
  [/^\/web\/applications\/(\d+)\/dossier$/, async (el, id) => {
    await signedIn();
    await dossierViewer(el, id, { back: `/web/applications/${id}` });
  }],
  [/^\/web\/bindings$/, async (el) => {
    await signedIn();
    el.replaceChildren(h("h1", {}, "案件绑定"), h("div", { class: "list-tools" }, button("申请绑定", () => router.go("/web/bindings/new"))), await bindingList());
  }],
  [/^\/web\/bindings\/new$/, async (el) => {
    await signedIn();
    el.replaceChildren(screens.newBinding());
  }],
  [/^\/web\/messages$/, async (el) => {
    await signedIn();
    el.replaceChildren(h("h1", {}, "站内信"), await messagesList((id) => `/web/applications/${id}`, (p) => router.go(p)));
  }],
  [/^\/web\/login$/, async (el) => {
    renderNav(null);
    const next = safeNext(new URLSearchParams(location.search).get("next"), "/web/applications");
    el.replaceChildren(loginForm({
      heading: "登录",
      note: next.startsWith("/r/") ? "请登录申请人本人的账号以打开阅卷链接。" : null,
      roles: ["party", "lawyer"],
      signupPath: `/web/signup?next=${encodeURIComponent(next)}`,
      resetPath: `/web/reset?next=${encodeURIComponent(next)}`,
      // a copied link (/r/<token>) is resolved by the gateway: leave the page for it
      onDone: () => (next.startsWith("/web/") ? router.replace(next) : location.assign(next)),
    }));
  }],
  [/^\/web\/signup$/, async (el) => {
    renderNav(null);
    const next = safeNext(new URLSearchParams(location.search).get("next"), "/web/applications");
    // 实名认证 is the next step after sign-up; 继续 there leads on to `next`
    el.replaceChildren(signupForm({ loginPath: "/web/login", onDone: () => router.replace(`${VERIFY}?next=${encodeURIComponent(next)}`) }));
  }],
  [/^\/web\/reset$/, async (el) => {
    renderNav(null);
    const next = safeNext(new URLSearchParams(location.search).get("next"), "/web/applications");
    el.replaceChildren(resetPasswordForm({
      loginPath: "/web/login",
      onDone: (phone) => router.replace(`/web/login?phone=${encodeURIComponent(phone)}&next=${encodeURIComponent(next)}`),
    }));
  }],
  [/^\/web\/verify$/, async (el) => {
    const user = await signedIn(true);
    const next = safeNext(new URLSearchParams(location.search).get("next"), "/web/applications");
    el.replaceChildren(verificationPanel(user, { refresh: () => router.render(), next }));
  }],
  [/^\/web\/account$/, async (el) => {
    const user = await signedIn(true);
    el.replaceChildren(h("h1", {}, "我的"), accountSummary(user, VERIFY), changePasswordForm(), signOutBlock(() => {
      renderNav(null);
      router.go("/web/");
    }));
  }],
];

const router = createRouter(routes, root);
router.loginPath = "/web/login";
router.verifyPath = VERIFY;
window.addEventListener("unhandledrejection", (e) => toast(errorText(e.reason), true));
router.render().catch((err) => root.replaceChildren(errorBox(err)));
