// 手机阅卷: the mobile client, laid out like the 广州微法院 mini-program
// (公众服务 → 手机阅卷 → 阅卷申请).
import {
  ApiFailure, LABELS, api, applicationActions, applicationForm, bindingForm, bindingList, button, copyLink, createRouter, detailBlocks,
  dossierViewer, errorBox, messagesList, errorText, fmtDate, h, loginForm, me, safeNext, signOut, signupForm, statusTag, toast,
} from "/static/common.js";

const root = document.getElementById("app");
const title = document.getElementById("page-title");
const back = document.getElementById("back");

function frame(heading, backTo) {
  title.textContent = heading;
  back.hidden = !backTo;
  if (backTo) back.setAttribute("href", backTo);
}

async function signedIn() {
  const user = await me();
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
    const user = await signedIn();
    el.replaceChildren(h("h1", { class: "section-title" }, "手机阅卷"),
      h("div", { class: "weui-cells" },
        h("a", { href: "/m/applications", "data-nav": true, class: "weui-cell weui-cell_access" }, h("span", { class: "weui-cell__bd" }, "阅卷申请"), h("span", { class: "weui-cell__ft" })),
        h("a", { href: "/m/messages", "data-nav": true, class: "weui-cell weui-cell_access" }, h("span", { class: "weui-cell__bd" }, "站内信"), h("span", { class: "weui-cell__ft" })),
        user.role === "lawyer" ? h("a", { href: "/m/bindings", "data-nav": true, class: "weui-cell weui-cell_access" }, h("span", { class: "weui-cell__bd" }, "案件绑定"), h("span", { class: "weui-cell__ft" })) : null),
      h("p", { class: "muted user-line" }, `${user.name}（${LABELS.role[user.role]}）`, " ", h("a", { href: "#", id: "sign-out" }, "退出登录")));
    el.querySelector("#sign-out").addEventListener("click", async (e) => {
      e.preventDefault();
      await signOut();
      router.go("/m/");
    });
  }],
  [/^\/m\/applications$/, async (el) => {
    frame("阅卷申请", "/m/reading");
    await signedIn();
    const { items } = await api("GET", "/api/v1/applications?limit=100");
    el.replaceChildren(h("h1", { class: "section-title" }, "阅卷申请"),
      items.length ? h("div", { class: "weui-cells app-list" }, items.map((a) => h("a", { href: `/m/applications/${a.id}`, "data-nav": true, class: "weui-cell weui-cell_access app-row", "data-id": a.id },
        h("div", { class: "weui-cell__bd" }, h("p", { class: "case-no" }, a.case_no), h("p", { class: "muted" }, `${a.court} · ${fmtDate(a.applied_at)} · ${a.scope}`)),
        h("div", { class: "weui-cell__ft" }, statusTag(a.status)))))
        : h("p", { class: "empty" }, "暂无阅卷申请，点击下方“申请”提交。"),
      h("div", { class: "bottom-bar" }, button("申请", () => router.go("/m/applications/new"), "primary", { "data-action": "apply" })));
  }],
  [/^\/m\/applications\/new$/, async (el) => {
    frame("申请阅卷", "/m/applications");
    const user = await signedIn();
    el.replaceChildren(applicationForm({
      user,
      initialCase: new URLSearchParams(location.search).get("case_no"),
      onDone: (app) => router.go(`/m/applications/${app.id}`),
      onBinding: (caseNo) => router.go(`/m/bindings/new?case_no=${encodeURIComponent(caseNo)}`),
    }));
  }],
  [/^\/m\/applications\/(\d+)$/, async (el, id) => {
    frame("申请详情", "/m/applications");
    await signedIn();
    const app = await api("GET", `/api/v1/applications/${id}`);
    el.replaceChildren(h("h1", { class: "sr-only" }, "申请详情"), detailBlocks(app, {
      view: () => router.go(`/m/applications/${id}/dossier`),
      copy: () => copyLink(id, el.querySelector(".copied-link")),
      accessLog: "own",
      ...applicationActions(id, (next) => router.go(`/m/applications/${next}`), () => router.render()),
    }));
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
    el.replaceChildren(bindingForm({ caseNo: new URLSearchParams(location.search).get("case_no"), onDone: () => router.go("/m/bindings") }));
  }],
  [/^\/m\/messages$/, async (el) => {
    frame("站内信", "/m/reading");
    await signedIn();
    el.replaceChildren(h("h1", { class: "section-title" }, "站内信"), await messagesList((id) => `/m/applications/${id}`, (p) => router.go(p)));
  }],
  [/^\/m\/login$/, async (el) => {
    frame("登录", "/m/");
    const next = safeNext(new URLSearchParams(location.search).get("next"), "/m/reading");
    el.replaceChildren(loginForm({ heading: "登录", roles: ["party", "lawyer"], signupPath: "/m/signup?next=" + encodeURIComponent(next), onDone: () => router.replace(next) }));
  }],
  [/^\/m\/signup$/, async (el) => {
    frame("注册", "/m/login");
    const next = safeNext(new URLSearchParams(location.search).get("next"), "/m/reading");
    el.replaceChildren(signupForm({ loginPath: "/m/login", onDone: () => router.replace(next) }));
  }],
];

const router = createRouter(routes, root);
router.loginPath = "/m/login";
window.addEventListener("unhandledrejection", (e) => toast(errorText(e.reason), true));
router.render().catch((err) => root.replaceChildren(errorBox(err)));
