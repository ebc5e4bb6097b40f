// Shared by the three front ends: the JSON API client (session cookie + CSRF header),
// the manual's words for API values, a message for every error code (the mini-program's
// too: `make client-types` copies them into its utils/court-words.ts), and the screens
// that /m/ and /web/ have in common (sign-in, sign-up, the application form, the detail
// page's four blocks, the dossier viewer). Buttons carry weui's classes too: /m/ loads
// weui and looks like the mini-program, the others style the plain classes.

export const LABELS = {
  status: { pending: "待审查", approved: "通过", rejected: "不通过", returned: "退回补正", withdrawn: "已撤回", expired: "已过期", revoked: "已终止" },
  opinion: { approve: "同意", reject: "不同意", return: "退回补正" },
  mode: { online: "在线阅卷", onsite: "现场阅卷" },
  caseStatus: { in_trial: "审理中", archived: "已归档" },
  relation: { party: "当事人", lawyer_of_record: "代理律师", lawyer_bound: "已绑定律师", none: "无关联" },
  kind: { license: "执业证", firm_letter: "律所介绍信或证明", authorization: "当事人授权委托书或法律援助公函", party_id: "当事人身份证明", identity: "本人身份证件", other: "其他材料" },
  role: { party: "当事人", lawyer: "律师", clerk: "审查人", archivist: "档案室", admin: "管理员" },
  binding: { pending: "待审查", approved: "已绑定", rejected: "不通过", revoked: "已撤销" },
  // 实名认证 of an account, as 我的 shows it (none: never asked)
  verification: { none: "未认证", pending: "审核中", approved: "已认证", rejected: "未通过" },
  access: { view_page: "查看", download_pdf: "打印（下载）", link_created: "复制链接", link_opened: "打开复制链接", link_revoked: "作废链接" },
};
// Every status an application can have, in the manual's order: the lists' filters and the console's tabs.
export const STATUSES = ["pending", "approved", "rejected", "returned", "withdrawn", "expired", "revoked"];
// The four materials of every lawyer's application (API.md "Dossier-reading applications").
export const LAWYER_KINDS = ["license", "firm_letter", "authorization", "party_id"];
// The materials of a binding application (API.md "Cases and lawyer binding").
export const BINDING_KINDS = ["license", "authorization"];

// What a person should read for each error code of API.md, and what to do next.
export const ERROR_TEXT = {
  bad_request: "提交的内容格式不正确，请检查后重试。",
  unauthenticated: "登录已失效，请重新登录。",
  invalid_credentials: "手机号或密码不正确，请重新输入。",
  forbidden: "您没有权限进行此操作；如页面已打开很久，请刷新后重试。",
  not_approved: "该申请尚未通过在线阅卷审查，暂不能查看案卷。",
  print_not_allowed: "审查人未允许打印，本次阅卷仅限在线查看。",
  not_ready: "打印文件还在生成（或生成失败），请稍候再下载，或重新生成。",
  access_revoked: "您与本案的代理或当事人关系已终止，阅卷权限随之终止。",
  not_found: "未找到该记录：案号不存在，或您不是该案的当事人或代理律师。请核对后重试。",
  method_not_allowed: "不支持该操作，请刷新页面后重试。",
  phone_taken: "该手机号已注册，请直接登录。",
  binding_required: "您尚未绑定该案件，请先申请案件绑定。",
  duplicate_pending: "该案件已有待审查的申请，请等待审查结果，无需重复提交。",
  already_related: "您已是该案件的代理律师或已绑定，可直接申请阅卷。",
  invalid_state: "该申请当前的状态不允许此操作，请刷新查看最新状态。",
  no_electronic_dossier: "因未扫描电子卷，需到库申请纸质卷：请选择“现场阅卷”并指定起止日期。",
  access_expired: "已超过阅卷截止时间，无法查看卷宗，请重新申请阅卷。",
  too_large: "文件过大（不能超过20MB），请压缩或拆分后再上传。",
  unsupported_media_type: "只能上传 PDF、JPG 或 PNG 文件，请更换文件后重试。",
  rate_limited: "操作过于频繁（密码连续输错5次将锁定15分钟），请稍后再试。",
  internal_error: "系统繁忙，请稍后再试。",
  service_unavailable: "服务暂时不可用，请稍后再试。",
  validation_error: "填写的内容有误，请按提示修改。",
  invalid_phone: "手机号格式不正确，请输入11位手机号。",
  weak_password: "密码太简单：至少8位，并包含大写字母、小写字母、数字、符号中的两种。",
  invalid_id_number: "身份证号码不正确，请核对后重新输入。",
  license_not_verified: "执业证号、姓名与律师事务所和律师名册不一致，请核对后重新输入。",
  invalid_case_no: "案号格式不正确，请按“（2021）粤01民初1号”的格式输入。",
  invalid_kind: "材料类型不正确，请重新选择。",
  invalid_date: "日期不正确：不能早于今天，且起始日期不能晚于截止日期。",
  materials_missing: "申请材料不齐，请补充上传后再提交：",
  idempotency_key_reused: "重复提交的内容不一致，请刷新页面后重试。",
  invalid_pdf: "文件不是有效的 PDF，请更换文件。",
  encrypted_pdf: "PDF 已加密，请上传未加密的文件。",
  network: "网络连接失败，请检查网络后重试。",
  // accounts people can trust (API.md "(additions)")
  verification_required: "请先完成实名认证后再查看案件：完成实名认证后方可查询案件和申请阅卷。",
  account_disabled: "账号已停用，无法登录；如有疑问请联系法院。",
  invalid_sms_code: "验证码不正确或已过期，请重新获取验证码后再试。",
  id_number_taken: "该身份证号已注册账号，请直接登录；忘记密码可通过“找回密码”重置。",
  license_taken: "该执业证号已注册账号，请直接登录；忘记密码可通过“找回密码”重置。",
  wrong_password: "原密码不正确，请重新输入。",
  already_verified: "您已完成实名认证，无需重复提交。",
  cannot_disable_self: "不能停用自己的账号。",
  // the reading room (阅卷室)
  slot_full: "名额已满：该时段已约满，请选择其他时段。",
};
// Codes whose server message names the wrong part precisely: shown before the advice.
export const SPECIFIC = new Set(["invalid_case_no", "validation_error", "invalid_date", "weak_password"]);

export class ApiFailure extends Error {
  constructor(status, code, message, details) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

export function errorText(err) {
  if (!(err instanceof ApiFailure)) return ERROR_TEXT.network;
  let text = ERROR_TEXT[err.code] || err.message || ERROR_TEXT.internal_error;
  if (err.code === "materials_missing" && Array.isArray(err.details.missing)) {
    text += err.details.missing.map((k) => LABELS.kind[k] || k).join("、");
  }
  if (SPECIFIC.has(err.code) && err.message && err.message !== text) text = `${err.message}。${text}`;
  const fields = err.details.fields;
  if (fields && typeof fields === "object") {
    text += ` ${Object.values(fields).filter((v) => typeof v === "string").join("；")}`;
  }
  return text;
}

// The CSRF cookie is __Host- prefixed where the site is https (a sibling site cannot plant it).
function csrfToken() {
  return cookie("__Host-court_csrf") || cookie("court_csrf");
}

export function cookie(name) {
  const hit = document.cookie.split("; ").find((c) => c.startsWith(`${name}=`));
  return hit ? decodeURIComponent(hit.slice(name.length + 1)) : "";
}

function failureFrom(status, text) {
  try {
    const e = JSON.parse(text).error;
    return new ApiFailure(status, e.code, e.message, e.details);
  } catch {
    return new ApiFailure(status, status >= 500 ? "internal_error" : "bad_request", "");
  }
}

// `idempotencyKey` goes out as the Idempotency-Key header; see intent() below.
/**
 * The body and the answer are typed by the route and method, from the OpenAPI document
 * (gateway/webtypes/api.d.ts).
 * @template {ApiPath} P
 * @template {ApiMethod} M
 * @param {M} method
 * @param {P} path a route of the OpenAPI document
 * @param {ApiBody<P, M>} [body]
 * @param {{ idempotencyKey?: string }} [options]
 * @returns {Promise<ApiAnswer<P, M>>}
 */
export async function api(method, path, body, { idempotencyKey } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken();
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  let payload;
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, { method, headers, body: payload, credentials: "same-origin" });
  } catch {
    throw new ApiFailure(0, "network", "");
  }
  const text = await response.text();
  if (!response.ok) throw failureFrom(response.status, text);
  return text ? JSON.parse(text) : null;
}

// -- retries that are safe ----------------------------------------------------------------
// An answer can be lost after the server did the work (the network dropped, a 503 from a
// slow service), and the person then clicks again. So a submission, withdrawal,
// reapplication, decision or attendance is sent through an intent: one Idempotency-Key
// per thing the person means to do, made on the first attempt and sent again with every
// retry of the same request, so the server answers a retry with the first result instead
// of doing it twice (API.md "Conventions"). Once it succeeded, or once the request
// changed (another body: the person means something else now), a new key is made.
export function intent() {
  let key = null;
  let sent = null;
  return {
    /**
     * @template {ApiPath} P
     * @template {ApiMethod} M
     * @param {M} method
     * @param {P} path
     * @param {ApiBody<P, M>} [body]
     * @returns {Promise<ApiAnswer<P, M>>}
     */
    async send(method, path, body) {
      const request = JSON.stringify([method, path, body ?? null]);
      if (!key || request !== sent) {
        key = newKey();
        sent = request;
      }
      const result = await api(method, path, body, { idempotencyKey: key });
      key = null;
      return result;
    },
  };
}

// crypto.randomUUID needs a secure context (https or localhost); a court intranet served
// over plain http has only getRandomValues, which makes as good a key.
function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

// While a request is in flight, the button that started it (or each of `buttons`) is
// disabled and aria-busy, so a double click or a second Enter sends one request; they come
// back when the request settles, whatever the outcome. `work` reports its own errors.
export async function whileBusy(buttons, work) {
  const all = [buttons].flat().filter(Boolean);
  if (all.some((b) => b.getAttribute("aria-busy") === "true")) return undefined;
  for (const b of all) {
    b.disabled = true;
    b.setAttribute("aria-busy", "true");
  }
  try {
    return await work();
  } finally {
    for (const b of all) {
      b.disabled = false;
      b.removeAttribute("aria-busy");
    }
  }
}

// A form sent with its submit button busy (whileBusy): `send` runs once at a time.
export function onSubmit(form, send) {
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    whileBusy(form.querySelector("button[type=submit]"), send);
  });
}

// 申请材料不齐, said before anything is sent: true when `missing` names a kind, which `message` then lists.
function saidMissing(message, missing) {
  if (missing.length) message.replaceChildren(errorBox(ERROR_TEXT.materials_missing + missing.map((k) => LABELS.kind[k]).join("、")));
  return missing.length > 0;
}

// Uploads go through XHR for its progress events (fetch has none for request bodies).
export function sendForm(url, form, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("X-CSRF-Token", csrfToken());
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress?.(Math.round((e.loaded / e.total) * 100));
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve(JSON.parse(xhr.responseText)) : reject(failureFrom(xhr.status, xhr.responseText)));
    xhr.onerror = () => reject(new ApiFailure(0, "network", ""));
    xhr.send(form);
  });
}

export function upload(file, kind, onProgress) {
  const form = new FormData();
  form.append("kind", kind);
  form.append("file", file);
  return sendForm("/api/v1/uploads", form, onProgress);
}

// -- DOM ---------------------------------------------------------------------------------
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

const SH = "Asia/Shanghai";
export function fmtDate(value) {
  if (!value) return "—";
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  return new Intl.DateTimeFormat("sv-SE", { timeZone: SH, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(value));
}
export function fmtTime(value) {
  if (!value) return "—";
  return new Intl.DateTimeFormat("sv-SE", { timeZone: SH, dateStyle: "short", timeStyle: "medium" }).format(new Date(value));
}

export function statusTag(status) {
  return h("span", { class: `tag tag-${status}`, "data-status": status }, LABELS.status[status] || status);
}

export function button(label, onclick, kind = "primary", extra = {}) {
  const cls = kind === "primary" ? "btn btn-primary weui-btn weui-btn_primary" : kind === "warn" ? "btn btn-warn weui-btn weui-btn_warn" : "btn btn-default weui-btn weui-btn_default";
  return h("button", { type: "button", class: cls, onclick, ...extra }, label);
}

let toastTimer;
export function toast(text, isError = false) {
  let el = document.getElementById("toast");
  if (!el) {
    el = h("div", { id: "toast", role: "status", "aria-live": "polite" });
    document.body.append(el);
  }
  el.textContent = text;
  el.className = isError ? "toast toast-error show" : "toast show";
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.className = "toast"), isError ? 6000 : 2500);
}

export function errorBox(err) {
  return h("div", { class: "error-box weui-msg__desc", role: "alert" }, typeof err === "string" ? err : errorText(err));
}

// -- 大字模式 (适老化) -----------------------------------------------------------------------
// Larger text and larger targets across the pages, for readers who find the usual size
// hard to read: the switch sets a class on <html> that makes every rem-sized rule 1.25
// times larger. Remembered in this browser as one flag, nothing else; /m/ and /web/ put
// the switch in their header, so it is there before sign-in too.
const LARGE_TEXT = "court.large-text";
function largeTextOn() {
  try {
    return localStorage.getItem(LARGE_TEXT) === "on";
  } catch {
    return false;
  }
}
export function largeTextToggle() {
  const apply = (on) => {
    document.documentElement.classList.toggle("large-text", on);
    toggle.setAttribute("aria-pressed", String(on));
  };
  const toggle = h("button", { type: "button", class: "text-size-toggle", "data-action": "large-text", title: "放大页面文字" }, "大字模式");
  toggle.addEventListener("click", () => {
    const on = toggle.getAttribute("aria-pressed") !== "true";
    try {
      if (on) localStorage.setItem(LARGE_TEXT, "on");
      else localStorage.removeItem(LARGE_TEXT);
    } catch {
      // storage refused: the larger text holds for this page only
    }
    apply(on);
  });
  apply(largeTextOn());
  return toggle;
}

// -- lists that page (加载更多) ------------------------------------------------------------
// Every list of the API pages with a cursor (API.md "Lists"): one page, then the next when
// the person asks (加载更多), until next_cursor is null; no list stops at its first page.
// `row(item)` draws an item into `list` (a <ul>, <ol> or <tbody>); `shell` (the list
// itself, or the <table> around a <tbody>) is shown once there is a row, `empty` while
// there is none. `element` holds them and the 加载更多 button, which goes with the last
// page. `load()` reads the next page and resolves to it: a view awaits the first, so its
// errors are the page's; a later page's error is a toast and 加载更多 stays to try again.
// `start` labels a button that reads the first page (a list drawn only when asked for).
/**
 * @param {ApiRoute} path a listing route of the OpenAPI document
 * @param {(item: any) => any} row
 * @param {{ params?: Record<string, any>, limit?: number, list?: any, shell?: any, empty?: any, start?: string | null, action?: string, onPage?: ((page: { items: any[], next_cursor?: string | null }) => void) | null }} [options]
 */
export function pagedList(path, row, { params = {}, limit = 20, list, shell = list, empty = null, start = null, action = "more", onPage = null } = {}) {
  let cursor = null;
  let shown = 0;
  let loaded = false;
  const more = button(start || "加载更多", (e) => whileBusy(e.currentTarget, () => load().catch((err) => toast(errorText(err), true))), "default", { "data-action": action });
  const footer = h("div", { class: "actions load-more" }, more);
  const element = h("div", { class: "paged-list" }, start ? footer : null);
  async function load() {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value !== null && value !== undefined && value !== "") query.set(key, value);
    query.set("limit", String(limit));
    if (cursor) query.set("cursor", cursor);
    /** @type {{ items: any[], next_cursor?: string | null }} (every listing route answers a page) */
    const page = /** @type {any} */ (await api("GET", `${path}?${query}`));
    if (onPage) onPage(page);
    list.append(...page.items.map(row));
    shown += page.items.length;
    cursor = page.next_cursor || null;
    loaded = true;
    more.textContent = "加载更多";
    element.replaceChildren(...[shown ? shell : loaded ? empty : null, cursor ? footer : null].filter(Boolean));
    return page;
  }
  return { element, load, more, shown: () => shown, done: () => loaded && !cursor };
}

// -- routing: every front end is one page; addresses are real paths ------------------------
export function createRouter(routes, root) {
  // Each view draws into a detached element that replaces the page only if no later
  // navigation started meanwhile: a slow answer never overwrites the screen a person
  // has already moved on to.
  let latest = 0;
  async function render() {
    const seq = ++latest;
    const path = location.pathname;
    for (const [pattern, view] of routes) {
      const match = path.match(pattern);
      if (match) {
        root.replaceChildren(h("p", { class: "loading" }, "加载中…"));
        const el = h("div", { class: "view" });
        try {
          await view(el, ...match.slice(1));
        } catch (err) {
          if (seq !== latest) return;
          if (err instanceof ApiFailure && err.status === 401) return router.toLogin();
          // case data waits for 实名认证: say so and lead there, never a bare refusal
          el.replaceChildren(err instanceof ApiFailure && err.code === "verification_required" && router.verifyPath
            ? verificationRequired(router.verifyPath) : errorBox(err));
        }
        if (seq !== latest) return;
        root.replaceChildren(el);
        const heading = root.querySelector("h1, h2");
        if (heading) document.title = `${heading.textContent} - ${document.body.dataset.title}`;
        focusView(root, heading);
        return;
      }
    }
    root.replaceChildren(errorBox("页面不存在，请返回首页。"));
  }
  const router = {
    base: routes.base,
    go(path) {
      history.pushState(null, "", path);
      window.scrollTo(0, 0);
      return render();
    },
    replace(path) {
      history.replaceState(null, "", path);
      return render();
    },
    toLogin() {
      return router.replace(`${router.loginPath}?next=${encodeURIComponent(location.pathname + location.search)}`);
    },
    render,
    loginPath: "/",
    verifyPath: null,
  };
  window.addEventListener("popstate", render);
  document.addEventListener("click", (e) => {
    const a = /** @type {Element} */ (e.target).closest("a[data-nav]");
    if (a && !e.ctrlKey && !e.metaKey && !e.shiftKey) {
      e.preventDefault();
      router.go(a.getAttribute("href"));
    }
  });
  return router;
}

// After a navigation the new view's main heading takes the focus (tabindex=-1: reachable by
// script, not a Tab stop), so a screen reader announces where the person now is and the
// next Tab starts from the top of the new view, not from a button that no longer exists.
// A view that put the focus somewhere on purpose keeps it.
function focusView(root, heading) {
  if (!heading || root.contains(document.activeElement)) return;
  if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
  heading.focus({ preventScroll: true });
}

// A place to go back to after sign-in: only this site's own pages. The value is resolved
// by the URL parser the browser will use and compared by origin, so "/\t/example.org",
// "/\\example.org" or "javascript:" cannot lead anywhere else; what comes back is the
// parsed path, never the raw text.
export function safeNext(value, fallback) {
  if (!value) return fallback;
  let url;
  try {
    url = new URL(value, location.origin);
  } catch {
    return fallback;
  }
  return url.origin === location.origin ? url.pathname + url.search + url.hash : fallback;
}

let meCache = null;
export async function me(refresh = false) {
  if (!meCache || refresh) meCache = await api("GET", "/api/v1/me");
  return meCache;
}
export function forgetMe() {
  meCache = null;
}
export async function signOut() {
  try {
    await api("DELETE", "/api/v1/session");
  } catch {
    // the cookies are cleared below in any case by the next sign-in
  }
  forgetMe();
}

// -- forms -------------------------------------------------------------------------------
export function field(label, input, hint) {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  input.id = id;
  return h("div", { class: "field weui-cell weui-cell_active" },
    h("label", { for: id, class: "weui-label" }, label),
    h("div", { class: "field-input weui-cell__bd" }, input, hint ? h("small", { class: "hint" }, hint) : null));
}
export function input(name, attrs = {}) {
  return h("input", { name, class: "weui-input", ...attrs });
}

/** @param {{ heading: string, roles: string[], onDone: (user: any) => any, signupPath?: string, resetPath?: string, note?: any }} options */
export function loginForm({ heading, roles, onDone, signupPath, resetPath, note }) {
  const phone = input("phone", { type: "tel", autocomplete: "username", required: true, inputmode: "numeric", placeholder: "11位手机号" });
  const password = input("password", { type: "password", autocomplete: "current-password", required: true, placeholder: "密码" });
  const message = h("div", { "aria-live": "assertive" });
  const form = h("form", { class: "card form", novalidate: true },
    h("h1", {}, heading),
    note ? h("p", { class: "muted" }, note) : null,
    h("div", { class: "weui-cells weui-cells_form" }, field("手机号", phone), field("密码", password)),
    message,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "btn btn-primary weui-btn weui-btn_primary" }, "登录")),
    signupPath || resetPath ? h("p", { class: "muted login-links" },
      signupPath ? ["还没有账号？", h("a", { href: signupPath, "data-nav": true }, "注册")] : null,
      signupPath && resetPath ? "　" : null,
      resetPath ? h("a", { href: resetPath, "data-nav": true }, "忘记密码？找回密码") : null) : null);
  const prefill = new URLSearchParams(location.search).get("phone");
  if (prefill && /^1\d{10}$/.test(prefill)) phone.value = prefill;
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    message.replaceChildren();
    try {
      const result = await api("POST", "/api/v1/session", { phone: phone.value.trim(), password: password.value });
      forgetMe();
      if (roles && !roles.includes(result.user.role)) {
        await signOut();
        message.replaceChildren(errorBox(`此入口供${roles.map((r) => LABELS.role[r]).join("、")}使用；工作人员请使用法院工作台 /staff/。`));
        return;
      }
      onDone(result.user);
    } catch (err) {
      message.replaceChildren(errorBox(err));
    }
  });
  return form;
}

export function signupForm({ onDone, loginPath }) {
  const role = h("select", { name: "role", class: "weui-select" }, h("option", { value: "party" }, "当事人"), h("option", { value: "lawyer" }, "律师"));
  const fields = {
    name: input("name", { autocomplete: "name", required: true, placeholder: "与身份证一致" }),
    id_number: input("id_number", { required: true, placeholder: "18位居民身份证号", maxlength: 18 }),
    phone: input("phone", { type: "tel", inputmode: "numeric", autocomplete: "tel", required: true, placeholder: "11位手机号" }),
    password: input("password", { type: "password", autocomplete: "new-password", required: true, placeholder: "至少8位，含两类字符" }),
    sms_code: null,
    license_no: input("license_no", { placeholder: "律师执业证号" }),
    law_firm: input("law_firm", { placeholder: "所在律师事务所" }),
  };
  const code = smsCodeField(fields.phone, "register");
  fields.sms_code = code.input;
  const lawyerOnly = h("div", { class: "lawyer-only", hidden: true }, field("执业证号", fields.license_no), field("律师事务所", fields.law_firm));
  role.addEventListener("change", () => (lawyerOnly.hidden = role.value !== "lawyer"));
  const message = h("div", { "aria-live": "assertive" });
  const form = h("form", { class: "card form", novalidate: true },
    h("h1", {}, "实名注册"),
    h("p", { class: "muted" }, "请填写本人真实信息；当事人只能申请本人名下的案件。注册后请完成实名认证：完成实名认证后方可查询案件和申请阅卷。"),
    h("div", { class: "weui-cells weui-cells_form" },
      field("身份", role), field("姓名", fields.name), field("身份证号", fields.id_number),
      field("手机号", fields.phone), code.element, field("密码", fields.password)),
    lawyerOnly,
    message,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "btn btn-primary weui-btn weui-btn_primary" }, "注册并登录")),
    h("p", { class: "muted" }, "已有账号？", h("a", { href: loginPath, "data-nav": true }, "登录")));
  onSubmit(form, async () => {
    message.replaceChildren();
    const body = /** @type {ApiBody<"/api/v1/auth/register", "post">} */ ({ role: role.value });
    for (const [key, el] of Object.entries(fields)) body[key] = key === "password" ? el.value : el.value.trim();
    if (body.role !== "lawyer") {
      delete body.license_no;
      delete body.law_firm;
    }
    if (!body.sms_code) {
      message.replaceChildren(errorBox("请先点击“获取验证码”，输入短信中的6位验证码。"));
      return;
    }
    try {
      await api("POST", "/api/v1/auth/register", body);
      await api("POST", "/api/v1/session", { phone: body.phone, password: body.password });
      forgetMe();
      onDone();
    } catch (err) {
      message.replaceChildren(errorBox(err));
    }
  });
  return form;
}

// -- phones proven by a text (短信验证码) ------------------------------------------------
// 获取验证码 beside the code: one code a minute (the button counts down 60 s), and the
// server's own words when it refuses (429: how long to wait). Returns {element, input}.
export function smsCodeField(phone, purpose) {
  const code = input("sms_code", { inputmode: "numeric", autocomplete: "one-time-code", maxlength: 6, required: true, placeholder: "6位验证码" });
  code.id = `f-sms-${purpose}`;
  const send = h("button", { type: "button", class: "btn btn-default weui-btn weui-btn_default weui-btn_mini sms-send", "data-action": "send-code" }, "获取验证码");
  const note = h("small", { class: "hint sms-note", "aria-live": "polite" });
  let timer = null;
  function countdown(seconds) {
    let left = seconds;
    send.disabled = true;
    send.textContent = `重新获取（${left}s）`;
    clearInterval(timer);
    timer = setInterval(() => {
      left -= 1;
      if (left > 0 && document.body.contains(send)) {
        send.textContent = `重新获取（${left}s）`;
        return;
      }
      clearInterval(timer);
      send.disabled = false;
      send.textContent = "重新获取验证码";
    }, 1000);
  }
  send.addEventListener("click", async () => {
    if (send.disabled) return;
    const number = phone.value.trim();
    note.className = "hint sms-note";
    if (!/^1\d{10}$/.test(number)) {
      note.textContent = ERROR_TEXT.invalid_phone;
      note.className = "hint sms-note error-text";
      phone.focus();
      return;
    }
    send.disabled = true;
    send.setAttribute("aria-busy", "true");
    try {
      await api("POST", "/api/v1/auth/sms-codes", { phone: number, purpose });
      note.textContent = `验证码已发送至 ${number.slice(0, 3)}****${number.slice(7)}，10分钟内有效。`;
      countdown(60);
      code.focus();
    } catch (err) {
      // 429 says how long to wait in the server's own words; other refusals as usual
      note.textContent = err instanceof ApiFailure && err.code === "rate_limited" && err.message ? err.message : errorText(err);
      note.className = "hint sms-note error-text";
      send.disabled = false;
    } finally {
      send.removeAttribute("aria-busy");
    }
  });
  const element = h("div", { class: "field weui-cell weui-cell_active weui-cell_vcode sms-field" },
    h("label", { for: code.id, class: "weui-label" }, "验证码"),
    h("div", { class: "field-input weui-cell__bd" }, h("div", { class: "sms-row" }, code, send), note));
  return { element, input: code };
}

function newPasswordInputs() {
  const fresh = input("new_password", { type: "password", autocomplete: "new-password", required: true, placeholder: "至少8位，含两类字符" });
  const again = input("new_password_again", { type: "password", autocomplete: "new-password", required: true, placeholder: "再次输入新密码" });
  return { fresh, again, fields: [field("新密码", fresh), field("确认新密码", again)], mismatch: () => fresh.value !== again.value };
}

// 找回密码: a code texted to the account's phone and a new password; every sign-in of the
// account ends. The server answers the same whether or not the phone has an account.
export function resetPasswordForm({ onDone, loginPath }) {
  const phone = input("phone", { type: "tel", inputmode: "numeric", autocomplete: "username", required: true, placeholder: "注册时的11位手机号" });
  const code = smsCodeField(phone, "reset_password");
  const pw = newPasswordInputs();
  const message = h("div", { "aria-live": "assertive" });
  const form = h("form", { class: "card form reset-form", novalidate: true },
    h("h1", {}, "找回密码"),
    h("p", { class: "muted" }, "输入注册时的手机号并获取验证码，设置新密码后请重新登录；所有设备上的登录将同时退出。"),
    h("div", { class: "weui-cells weui-cells_form" }, field("手机号", phone), code.element, ...pw.fields),
    message,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "btn btn-primary weui-btn weui-btn_primary" }, "重置密码")),
    loginPath ? h("p", { class: "muted" }, "想起密码了？", h("a", { href: loginPath, "data-nav": true }, "登录")) : null);
  onSubmit(form, async () => {
    message.replaceChildren();
    if (!code.input.value.trim()) return message.replaceChildren(errorBox("请先点击“获取验证码”，输入短信中的6位验证码。"));
    if (pw.mismatch()) return message.replaceChildren(errorBox("两次输入的新密码不一致，请重新输入。"));
    try {
      await api("POST", "/api/v1/auth/password-reset", { phone: phone.value.trim(), sms_code: code.input.value.trim(), new_password: pw.fresh.value });
      forgetMe();
      toast("密码已重置，请使用新密码登录");
      onDone(phone.value.trim());
    } catch (err) {
      message.replaceChildren(errorBox(err));
    }
  });
  return form;
}

// 修改密码 for the signed-in person: this sign-in stays, every other one ends at once.
export function changePasswordForm() {
  const old = input("old_password", { type: "password", autocomplete: "current-password", required: true, placeholder: "当前使用的密码" });
  const pw = newPasswordInputs();
  const message = h("div", { "aria-live": "assertive" });
  const form = h("form", { class: "card form password-form", novalidate: true },
    h("h2", {}, "修改密码"),
    h("p", { class: "muted" }, "修改后，其他手机和电脑上的登录将立即退出，本机保持登录。"),
    h("div", { class: "weui-cells weui-cells_form" }, field("原密码", old), ...pw.fields),
    message,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "btn btn-primary weui-btn weui-btn_primary" }, "修改密码")));
  onSubmit(form, async () => {
    message.replaceChildren();
    if (pw.mismatch()) return message.replaceChildren(errorBox("两次输入的新密码不一致，请重新输入。"));
    try {
      await api("POST", "/api/v1/me/password", { old_password: old.value, new_password: pw.fresh.value });
      form.reset();
      message.replaceChildren(h("p", { class: "ok-text", role: "status" }, "密码已修改，其他设备上的登录已退出。"));
      toast("密码已修改");
    } catch (err) {
      message.replaceChildren(errorBox(err));
    }
  });
  return form;
}

// 退出登录 here, or 退出所有设备: every sign-in of the account ends, this one included.
export function signOutBlock(onSignedOut) {
  const here = button("退出登录", (e) => whileBusy(e.currentTarget, async () => {
    await signOut();
    onSignedOut();
  }), "default", { "data-action": "sign-out" });
  const everywhere = button("退出所有设备", (e) => whileBusy(e.currentTarget, async () => {
    try {
      await api("POST", "/api/v1/auth/logout", { everywhere: true });
    } catch (err) {
      if (!(err instanceof ApiFailure && err.status === 401)) return toast(errorText(err), true);
    }
    await signOut();  // the cookies go too (the session behind them has ended already)
    toast("已在所有设备上退出登录");
    onSignedOut();
  }), "warn", { "data-action": "sign-out-everywhere" });
  return h("section", { class: "card sign-out-block" }, h("h2", {}, "退出登录"),
    h("p", { class: "muted" }, "在别人的电脑上登录过、或手机丢失时，请选择“退出所有设备”：所有手机和电脑上的登录都将退出。"),
    h("div", { class: "actions" }, here, everywhere));
}

// -- 实名认证 (real-name verification) ------------------------------------------------------
export function verificationState(user) {
  if (user.verified) return { status: "approved", explanation: null };
  const v = user.verification;
  if (v && (v.status === "pending" || v.status === "rejected")) return { status: v.status, explanation: v.explanation || null };
  return { status: "none", explanation: null };
}

export function verificationTag(status) {
  const colour = { none: "expired", pending: "pending", approved: "approved", rejected: "rejected" }[status] || "expired";
  return h("span", { class: `tag tag-${colour} verification-tag`, "data-verification": status }, LABELS.verification[status] || status);
}

const NEEDS_VERIFICATION = ["party", "lawyer"];
const WHY_VERIFY = "完成实名认证后方可查询案件和申请阅卷。";

// On the home and list pages of /m/ and /web/: where an unverified account stands, with the
// way to 实名认证. Nothing (an empty string, safe in replaceChildren) for a verified account.
export function verificationBanner(user, verifyPath) {
  if (!NEEDS_VERIFICATION.includes(user.role)) return "";
  const { status, explanation } = verificationState(user);
  if (status === "approved") return "";
  const text = {
    none: ["您尚未完成实名认证。", WHY_VERIFY],
    pending: ["实名认证审核中：", "法院工作人员核对您上传的身份证件后即可查询案件和申请阅卷，审核结果将通知您。"],
    rejected: ["实名认证未通过：", explanation ? `${explanation}。请按说明重新提交。` : "请重新提交。"],
  }[status];
  const link = { none: "去实名认证", pending: "查看认证进度", rejected: "重新提交" }[status];
  return h("div", { class: `notice notice-warn verification-banner`, "data-verification": status, role: "status" },
    h("strong", {}, text[0]), text[1], " ", h("a", { href: verifyPath, "data-nav": true, class: "verify-link" }, link));
}

// What a page says instead of case data while the account is not verified (403
// verification_required), with the way there.
export function verificationRequired(verifyPath) {
  return h("div", { class: "notice notice-warn verification-required", role: "alert" },
    h("p", {}, ERROR_TEXT.verification_required),
    h("a", { href: verifyPath, "data-nav": true, class: "btn btn-primary weui-btn weui-btn_primary", "data-action": "verify" }, "去实名认证"));
}

// 实名认证 itself: the state (未认证 / 审核中 / 已认证 / 未通过 and why) and, unless verified or
// waiting, the upload of the identity document and 提交实名认证. `refresh` draws it again.
export function verificationPanel(user, { refresh, next }) {
  const { status, explanation } = verificationState(user);
  const rows = [h("div", { class: "kv-row" }, h("dt", {}, "认证状态"), h("dd", {}, verificationTag(status)))];
  if (status === "approved" && user.verified_via) rows.push(h("div", { class: "kv-row" }, h("dt", {}, "认证方式"), h("dd", {}, user.verified_via)));
  if (status === "rejected") rows.push(h("div", { class: "kv-row" }, h("dt", {}, "未通过原因"), h("dd", { class: "rejection" }, explanation || "—")));
  const parts = [h("h1", {}, "实名认证"),
    h("p", { class: "muted" }, `${WHY_VERIFY}法院将核对您上传的身份证件与注册信息（${user.name}，身份证号 ${user.id_number || "—"}）是否一致。`),
    h("dl", { class: "kv verification-state" }, rows)];
  if (status === "approved") {
    parts.push(h("p", { class: "ok-text" }, "您已完成实名认证，可以查询案件和申请阅卷。"));
    // a page of this front end opens in place; a copied link (/r/…) is the gateway's
    const inPlace = next?.startsWith(`/${location.pathname.split("/")[1]}/`);
    if (next) parts.push(h("div", { class: "actions" }, h("a", { href: next, "data-nav": inPlace, class: "btn btn-primary weui-btn weui-btn_primary", "data-action": "continue" }, "继续")));
  } else if (status === "pending") {
    parts.push(h("p", { class: "notice" }, "实名认证审核中：法院工作人员核对后即可查询案件和申请阅卷，审核结果将通知您。"));
  } else {
    parts.push(verificationForm(refresh));
  }
  return h("div", { class: "card verification" }, parts);
}

function verificationForm(refresh) {
  const picker = materialsPicker(["identity"]);
  const message = h("div", { "aria-live": "assertive" });
  const form = h("form", { class: "form verification-form", novalidate: true },
    h("h2", {}, "上传身份证件"),
    h("p", { class: "muted" }, "请上传本人居民身份证人像面和国徽面的照片或扫描件（JPG、PNG 或 PDF，每个文件不超过20MB），可上传多个文件。"),
    picker.element, message,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "btn btn-primary weui-btn weui-btn_primary" }, "提交实名认证")));
  const submission = intent();
  picker.element.addEventListener("change", () => message.replaceChildren());  // a file chosen: the old complaint goes
  onSubmit(form, async () => {
    message.replaceChildren();
    if (picker.missing().length) return message.replaceChildren(errorBox("请先上传本人身份证件的照片或扫描件。"));
    try {
      await submission.send("POST", "/api/v1/me/verification", { material_ids: picker.ids() });
      toast("已提交实名认证，请等待审核");
      refresh();
    } catch (err) {
      if (err instanceof ApiFailure && ["already_verified", "duplicate_pending"].includes(err.code)) {
        toast(err.code === "already_verified" ? ERROR_TEXT.already_verified : "实名认证正在审核中，请等待审核结果，无需重复提交。");
        return refresh();
      }
      message.replaceChildren(errorBox(err));
    }
  });
  return form;
}

// How a clerk tells people apart: "已实名认证（人工核验身份证件，2024-05-01）" or "未实名认证".
export function verifiedText(v) {
  return v && v.verified !== false ? `已实名认证（${v.label || v.via || "已核验"}，${fmtDate(v.at)}）` : "未实名认证";
}

// 我的: who is signed in and how far 实名认证 is.
export function accountSummary(user, verifyPath) {
  const { status, explanation } = verificationState(user);
  const needs = NEEDS_VERIFICATION.includes(user.role);
  const rows = [["姓名", user.name], ["身份", LABELS.role[user.role] || user.role], ["手机号", user.phone]];
  if (user.id_number) rows.push(["身份证号", user.id_number]);
  if (user.license_no) rows.push(["执业证号", user.license_no], ["律师事务所", user.law_firm]);
  if (user.court) rows.push(["所属法院", user.court]);
  const stateCell = needs ? h("span", {}, verificationTag(status),
    status === "approved" && user.verified_via ? ` ${user.verified_via}` : "",
    status === "rejected" && explanation ? h("small", { class: "muted" }, ` ${explanation}`) : "",
    status !== "approved" ? [" ", h("a", { href: verifyPath, "data-nav": true, class: "verify-link" }, status === "rejected" ? "重新提交" : status === "pending" ? "查看" : "去实名认证")] : "") : null;
  return h("section", { class: "card account-summary" }, h("h2", {}, "账号信息"),
    h("dl", { class: "kv" }, rows.map(([k, v]) => h("div", { class: "kv-row" }, h("dt", {}, k), h("dd", {}, v ?? "—"))),
      needs ? h("div", { class: "kv-row" }, h("dt", {}, "实名认证"), h("dd", {}, stateCell)) : null));
}

// An error as a box, except 403 verification_required, which leads to 实名认证.
function refusal(err, verifyPath) {
  return err instanceof ApiFailure && err.code === "verification_required" && verifyPath ? verificationRequired(verifyPath) : errorBox(err);
}

// One upload row per material kind, with progress; returns {element, ids(), missing(), kinds()}.
export function materialsPicker(kinds, optional = []) {
  const uploaded = [];
  const list = h("div", { class: "materials" });
  for (const kind of [...kinds, ...optional]) {
    const done = h("ul", { class: "uploaded" });
    const bar = h("progress", { max: 100, value: 0, hidden: true, "aria-label": `${LABELS.kind[kind]}上传进度` });
    const status = h("span", { class: "muted", "aria-live": "polite" });
    const file = h("input", { type: "file", accept: ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png", "data-kind": kind, id: `file-${kind}` });
    file.addEventListener("change", async () => {
      for (const f of [...file.files]) {
        bar.hidden = false;
        bar.value = 0;
        status.textContent = `正在上传 ${f.name}…`;
        try {
          const m = await upload(f, kind, (p) => {
            bar.value = p;
            status.textContent = `正在上传 ${f.name}… ${p}%`;
          });
          uploaded.push(m);
          done.append(h("li", { "data-material": m.id }, `✓ ${m.filename}`));
          status.textContent = "已上传";
        } catch (err) {
          status.textContent = errorText(err);
          status.className = "error-text";
        }
        bar.hidden = true;
      }
      file.value = "";
    });
    list.append(h("div", { class: "material-row weui-cell" },
      h("label", { for: file.id, class: "material-label" }, LABELS.kind[kind], kinds.includes(kind) ? h("span", { class: "required" }, " *") : "（选填）"),
      h("div", { class: "material-controls" }, file, bar, status, done)));
  }
  return {
    element: list,
    ids: () => uploaded.map((m) => m.id),
    missing: () => kinds.filter((k) => !uploaded.some((m) => m.kind === k)),
    kinds: () => uploaded.map((m) => m.kind),
  };
}

// 申请内容: 全案卷宗, or 部分卷宗 described in words; `initial` is an application's scope.
function scopeControl(initial = "全案卷宗") {
  const partial = initial !== "全案卷宗";
  const select = h("select", { name: "scope_kind", class: "weui-select", "aria-label": "申请内容" }, h("option", { value: "全案卷宗" }, "全案卷宗"),
    h("option", { value: "other", selected: partial }, "部分卷宗（请说明）"));
  const text = input("scope_text", { placeholder: "需要查阅的卷宗内容", hidden: !partial, value: partial ? initial : "", "aria-label": "需要查阅的卷宗内容" });
  select.addEventListener("change", () => (text.hidden = select.value !== "other"));
  return {
    element: h("div", {}, select, text),
    value: () => (select.value === "other" ? text.value.trim() || "部分卷宗" : "全案卷宗"),
  };
}

// The 申请 form: case lookup (eligibility before submitting), scope, reason, materials.
export function applicationForm({ user, onDone, onBinding, initialCase, verifyPath }) {
  const caseNo = input("case_no", { required: true, placeholder: "如（2021）粤01民初1号", value: initialCase || "" });
  const scope = scopeControl();
  const reason = h("textarea", { name: "reason", class: "weui-textarea", rows: 3, required: true, placeholder: "申请阅卷的原因" });
  const eligibility = h("div", { class: "eligibility", "aria-live": "polite" });
  const message = h("div", { "aria-live": "assertive" });
  const lawyer = user.role === "lawyer";
  const picker = materialsPicker(lawyer ? LAWYER_KINDS : [], ["other"]);

  function bindingPrompt(text) {
    return h("div", { class: "notice notice-warn", role: "alert" }, h("p", {}, text || ERROR_TEXT.binding_required),
      button("申请案件绑定", () => onBinding(caseNo.value.trim()), "primary", { "data-action": "bind" }));
  }
  async function check() {
    eligibility.replaceChildren();
    const value = caseNo.value.trim();
    if (!value) return null;
    try {
      const c = await api("GET", `/api/v1/cases/lookup?case_no=${encodeURIComponent(value)}`);
      caseNo.value = c.case_no;
      const parts = [h("p", {}, `${c.case_no} · ${c.court} · ${LABELS.caseStatus[c.status] || c.status} · 您是：${LABELS.relation[c.relation] || c.relation}`)];
      if (c.needs_binding) parts.push(bindingPrompt("您尚未绑定该案件（审理中的案件需先申请案件绑定），请先申请案件绑定。"));
      else if (lawyer) parts.push(h("p", { class: "muted" }, `可以申请。律师申请需上传：${LAWYER_KINDS.map((k) => LABELS.kind[k]).join("、")}。`));
      else parts.push(h("p", { class: "ok-text" }, "可以申请。"));
      eligibility.replaceChildren(...parts);
      return c;
    } catch (err) {
      eligibility.replaceChildren(refusal(err, verifyPath));
      return null;
    }
  }
  caseNo.addEventListener("change", check);
  const form = h("form", { class: "card form application-form", novalidate: true },
    h("h1", {}, "阅卷申请"),
    h("p", { class: "muted" }, "当事人只能申请本人名下的案件；律师名下的案件为审理状态且系统中没有律师信息的，需先申请案件绑定；归档案件只需上传相关材料。"),
    h("div", { class: "weui-cells weui-cells_form" },
      field("案号", caseNo),
      h("div", { class: "field-actions" }, button("查询案件", check, "default", { "data-action": "lookup" })),
      eligibility,
      field("申请内容", scope.element),
      field("申请原因", reason)),
    h("h2", {}, "申请材料"),
    h("p", { class: "muted" }, "支持 PDF、JPG、PNG，每个文件不超过20MB。"),
    picker.element,
    message,
    h("div", { class: "actions bottom-bar weui-bottom-fixed-opr" }, h("button", { type: "submit", class: "btn btn-primary weui-btn weui-btn_primary" }, "提交申请")));
  const submission = intent();
  onSubmit(form, submit);
  async function submit() {
    message.replaceChildren();
    if (saidMissing(message, picker.missing())) return;
    const body = {
      case_no: caseNo.value.trim(),
      scope: scope.value(),
      reason: reason.value.trim(),
      material_ids: picker.ids(),
    };
    try {
      const app = await submission.send("POST", "/api/v1/applications", body);
      toast("申请已提交");
      onDone(app);
    } catch (err) {
      message.replaceChildren(err.code === "binding_required" ? bindingPrompt() : refusal(err, verifyPath));
    }
  }
  return form;
}

// 补正: a returned application (or a refused or expired one) corrected and sent again. The
// form holds the old 申请内容 and 申请原因 and the old materials, each of which can be
// removed; new materials are uploaded as in the 申请 form. 提交补正 sends what the form holds
// (the reapply body, API.md "Reading rights (additions)"); the new pending application
// replaces nothing of the old one, which stays as the clerk left it. Whether it may be sent
// again is the application's own answer (`actions`, from the applications service).
export function correctionForm({ app, user, onDone, backPath, verifyPath }) {
  if (!allows(app, "reapply")) {  // (decided since, or opened from an old address)
    const back = backPath ? h("a", { href: backPath, "data-nav": true, class: "btn btn-default weui-btn weui-btn_default" }, "返回申请详情") : null;
    const why = app.status === "pending" ? "该申请正在审查中，无需补正；如需修改，请先撤回申请后重新申请。" : ERROR_TEXT.invalid_state;
    return h("div", { class: "card form correction-form" }, h("h1", {}, "补正申请"), errorBox(why), back ? h("div", { class: "actions" }, back) : null);
  }
  const lawyer = user.role === "lawyer";
  const caseNo = input("case_no", { value: app.case_no, readonly: true });
  const scope = scopeControl(app.scope || "全案卷宗");
  const reason = h("textarea", { name: "reason", class: "weui-textarea", rows: 3, required: true, placeholder: "申请阅卷的原因" });
  reason.value = app.reason || "";
  const old = app.materials || [];
  const removed = new Set();
  const oldList = old.length ? h("ul", { class: "old-materials weui-cells" }, old.map((m) => oldMaterialRow(m, removed)))
    : h("p", { class: "muted" }, "原申请未上传材料。");
  const picker = materialsPicker([], lawyer ? [...LAWYER_KINDS, "other"] : ["authorization", "party_id", "other"]);
  const message = h("div", { "aria-live": "assertive" });
  const form = h("form", { class: "card form correction-form", novalidate: true },
    h("h1", {}, "补正申请"),
    returnNotice(app),
    h("p", { class: "muted" }, "请按审查意见修改申请内容、申请原因或申请材料。提交后生成新的申请重新审查，原申请保留不变。"),
    h("div", { class: "weui-cells weui-cells_form" },
      field("案号", caseNo, "补正不能更换案件；其他案件请另行申请。"),
      field("申请内容", scope.element),
      field("申请原因", reason)),
    h("h2", {}, "申请材料"),
    h("h3", { class: "materials-heading" }, "原申请材料"),
    h("p", { class: "muted" }, "不再需要的材料请点击“移除”；移除后可点击“恢复”。"),
    oldList,
    h("h3", { class: "materials-heading" }, "新增材料"),
    h("p", { class: "muted" }, "支持 PDF、JPG、PNG，每个文件不超过20MB。"),
    picker.element,
    message,
    h("div", { class: "actions bottom-bar weui-bottom-fixed-opr" },
      h("button", { type: "submit", class: "btn btn-primary weui-btn weui-btn_primary" }, "提交补正")));
  picker.element.addEventListener("change", () => message.replaceChildren());
  const submission = intent();  // a retry of the same 补正 reuses its key
  onSubmit(form, submit);
  async function submit() {
    message.replaceChildren();
    const kept = old.filter((m) => !removed.has(m.id));
    if (lawyer) {
      const have = new Set([...kept.map((m) => m.kind), ...picker.kinds()]);
      if (saidMissing(message, LAWYER_KINDS.filter((k) => !have.has(k)))) return;
    }
    const body = { scope: scope.value(), reason: reason.value.trim(), material_ids: [...kept.map((m) => m.id), ...picker.ids()] };
    try {
      const fresh = await submission.send("POST", `/api/v1/applications/${encodeURIComponent(app.id)}/reapply`, body);
      toast("已提交补正");
      onDone(fresh);
    } catch (err) {
      message.replaceChildren(refusal(err, verifyPath));
    }
  }
  return form;
}

// One material of the old application in the 补正 form: open it, 移除 it (恢复 takes it back).
function oldMaterialRow(m, removed) {
  const note = h("span", { class: "removed-note", "aria-live": "polite" });
  const toggle = h("button", { type: "button", class: "btn btn-default weui-btn weui-btn_default weui-btn_mini material-remove", "data-action": "remove-material", "aria-label": `移除 ${m.filename}` }, "移除");
  const row = h("li", { class: "weui-cell old-material", "data-material": m.id },
    h("span", { class: "weui-cell__bd" }, h("span", { class: "muted" }, `${LABELS.kind[m.kind] || m.kind}：`),
      h("a", { href: `/api/v1/uploads/${encodeURIComponent(m.id)}`, target: "_blank", rel: "noopener" }, m.filename), note),
    h("span", { class: "weui-cell__ft" }, toggle));
  toggle.addEventListener("click", () => {
    const gone = !removed.has(m.id);
    if (gone) removed.add(m.id);
    else removed.delete(m.id);
    row.classList.toggle("removed", gone);
    note.textContent = gone ? "（已移除，提交后不再随申请提交）" : "";
    toggle.textContent = gone ? "恢复" : "移除";
    toggle.setAttribute("aria-label", `${gone ? "恢复" : "移除"} ${m.filename}`);
    toggle.dataset.action = gone ? "restore-material" : "remove-material";
  });
  return row;
}

// 退回补正: the clerk's explanation, at the top of the detail page and of the 补正 form.
export function returnNotice(app, extra) {
  if (app.status !== "returned") return null;
  return h("div", { class: "notice notice-warn return-notice", role: "note" },
    h("p", {}, h("strong", {}, "退回补正 — 审查意见："), h("span", { class: "return-explanation" }, app.review?.explanation || "请按要求补正后重新提交。")),
    extra ? h("p", { class: "muted" }, extra) : null);
}

// 案件绑定 (lawyers): case, the party they act for, license and authorization.
export function bindingForm({ caseNo, onDone, verifyPath }) {
  const caseInput = input("case_no", { required: true, value: caseNo || "", placeholder: "如（2021）粤01民初1号" });
  const party = input("party_name", { required: true, placeholder: "委托您的当事人姓名" });
  const picker = materialsPicker(BINDING_KINDS);
  const message = h("div", { "aria-live": "assertive" });
  const form = h("form", { class: "card form binding-form", novalidate: true },
    h("h1", {}, "申请案件绑定"),
    h("p", { class: "muted" }, "审理中的案件，系统中没有您的代理信息时，需先绑定案件，审查通过后即可申请阅卷。"),
    h("div", { class: "weui-cells weui-cells_form" }, field("案号", caseInput), field("当事人姓名", party)),
    h("h2", {}, "绑定材料"),
    picker.element,
    message,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "btn btn-primary weui-btn weui-btn_primary" }, "提交绑定申请")));
  const submission = intent();
  onSubmit(form, async () => {
    if (saidMissing(message, picker.missing())) return;
    try {
      const binding = await submission.send("POST", "/api/v1/bindings", { case_no: caseInput.value.trim(), party_name: party.value.trim(), material_ids: picker.ids() });
      toast("绑定申请已提交，请等待审查");
      onDone(binding);
    } catch (err) {
      message.replaceChildren(refusal(err, verifyPath));
    }
  });
  return form;
}

export async function bindingList() {
  const list = h("ul", { class: "binding-list weui-cells" });
  const pages = pagedList("/api/v1/bindings", bindingRow, { list, empty: h("p", { class: "empty" }, "暂无案件绑定申请。") });
  await pages.load();
  return pages.element;
}

function bindingRow(b) {
  return h("li", { class: "weui-cell", "data-id": b.id },
    h("span", {}, `${b.case_no}（${b.party_name}）`), " ",
    h("span", { class: `tag tag-${{ approved: "approved", rejected: "rejected", revoked: "revoked" }[b.status] || "pending"}` }, LABELS.binding[b.status] || b.status),
    b.explanation ? h("small", { class: "muted" }, ` ${b.explanation}`) : null);
}

// -- the detail page: the manual's four blocks in order ------------------------------------
function table(rows) {
  return h("dl", { class: "kv" }, rows.map(([k, v]) => h("div", { class: "kv-row" }, h("dt", {}, k), h("dd", {}, v ?? "—"))));
}

// 重新申请 and 撤回 behave the same in every front end; `go` opens an application by id.
export function applicationActions(id, go, refresh) {
  const act = (path, done) => {
    const attempt = intent();  // a retry of the same 撤回 or 重新申请 reuses its key
    return (e) => whileBusy(e?.currentTarget, async () => {
      try {
        done(await attempt.send("POST", `/api/v1/applications/${id}/${path}`));
      } catch (err) {
        toast(errorText(err), true);
      }
    });
  };
  return {
    reapply: act("reapply", (fresh) => {
      toast("已重新申请");
      go(fresh.id);
    }),
    withdraw: act("withdraw", () => {
      toast("申请已撤回");
      refresh();
    }),
  };
}

// The reader's screens /m/ and /web/ both have, leading to addresses under the front end's
// `base` ("/m" or "/web", as myCasesList takes it); `router()` is that front end's router.
export function readerScreens(base, router) {
  const verifyPath = `${base}/verify`;
  const go = (path) => router().go(path);
  const detailPath = (id) => `${base}/applications/${id}`;
  return {
    // 申请阅卷: a case that needs 案件绑定 first leads to that form
    newApplication: (user) => [verificationBanner(user, verifyPath), applicationForm({
      user,
      verifyPath,
      initialCase: new URLSearchParams(location.search).get("case_no"),
      onDone: (app) => go(detailPath(app.id)),
      onBinding: (caseNo) => go(`${base}/bindings/new?case_no=${encodeURIComponent(caseNo)}`),
    })],
    // 申请详情: the four blocks and what the reader may do from there
    detail: (el, id, app) => detailBlocks(app, {
      view: () => go(`${detailPath(id)}/dossier`),
      copy: () => copyLink(id, el.querySelector(".copied-link")),
      print: () => printDossier(id, el.querySelector(".print-job")),
      accessLog: "own",
      booking: true,  // 预约阅卷时间 on an on-site approval
      correct: () => go(`${detailPath(id)}/correct`),
      ...applicationActions(id, (next) => go(detailPath(next)), () => router().render()),
    }),
    correction: (id, app, user) => correctionForm({ app, user, verifyPath, backPath: detailPath(id), onDone: (fresh) => go(detailPath(fresh.id)) }),
    newBinding: () => bindingForm({ caseNo: new URLSearchParams(location.search).get("case_no"), verifyPath, onDone: () => go(`${base}/bindings`) }),
  };
}

// What a grant covers, in the words the reader reads (部分卷宗：起诉状、答辩状).
export function grantScope(reading) {
  const scope = reading.document_titles ? `部分卷宗：${reading.document_titles.join("、")}` : "全部正卷";
  return reading.print === false ? `${scope}（仅限在线查看，不可打印）` : scope;
}

// What the applicant may do now, as the application's answer says (`actions`: the
// applications service's rule, never retyped here).
export function allows(app, action) {
  return (app.actions || []).includes(action);
}

export function detailBlocks(app, actions) {
  const review = app.review;
  const reading = app.reading;
  const byKind = {};
  for (const m of app.materials || []) {
    if (!byKind[m.kind]) byKind[m.kind] = [];
    byKind[m.kind].push(m);
  }
  const materials = Object.keys(byKind).length
    ? h("ul", { class: "material-groups" }, Object.entries(byKind).map(([kind, items]) => h("li", {}, h("strong", {}, LABELS.kind[kind] || kind),
        h("ul", {}, items.map((m) => h("li", {}, h("a", { href: `/api/v1/uploads/${encodeURIComponent(m.id)}`, target: "_blank", rel: "noopener" }, m.filename)))))))
    : h("p", { class: "muted" }, "无");
  let readingBlock;
  if (app.status === "approved" && reading && reading.mode === "online") {  // the buttons: as `actions` offers them
    const printable = reading.print !== false;
    readingBlock = [table([["有效截止日期", reading.valid_until], ["阅卷范围", grantScope(reading)]]),
      h("p", { class: "muted grant-note" }, `有效截止日期 ${reading.valid_until}，逾期需重新申请。`,
        printable ? "" : "本次阅卷仅限在线查看，不可打印。"),
      h("div", { class: "actions" }, allows(app, "view_dossier") && actions.view && button("查看案卷", actions.view, "primary", { "data-action": "view" }),
        allows(app, "copy_link") && actions.copy && button("复制链接", actions.copy, "default", { "data-action": "copy" }),
        allows(app, "print") && actions.print && button("打印", actions.print, "default", { "data-action": "print" })),
      h("div", { class: "copied-link", "aria-live": "polite" }), h("div", { class: "print-job" })];
  } else if (reading && reading.mode === "onsite") {
    readingBlock = [h("p", { class: "notice" }, h("strong", {}, "温馨提示："), reading.notice || "现场阅卷需要带齐相关证明材料。"),
      table([["起始时间", reading.start_date], ["截止时间", reading.end_date],
        ["预约到场时间", reading.booking ? slotWords(reading.booking) : "未预约"],
        ["是否到场", reading.attended === true ? "是" : reading.attended === false ? "否" : "未登记"],
        ["借阅时间", reading.borrowed_at ? fmtTime(reading.borrowed_at) : "—"], ["还卷时间", reading.returned_at ? fmtTime(reading.returned_at) : "—"]])];
  } else if (reading && reading.mode === "online") {
    const why = app.status === "revoked" ? "阅卷已终止，无法查看卷宗。" : "已超过阅卷截止时间，无法查看卷宗，请重新申请阅卷。";
    readingBlock = [table([["有效截止日期", reading.valid_until]]), h("p", { class: "muted" }, why)];
  } else {
    readingBlock = h("p", { class: "muted" }, app.status === "pending" ? "审查通过后在此查看阅卷截止时间与卷宗。" : "无");
  }
  const tail = [];
  // the reader's own 阅卷记录 when the answer offers it; the court's audit of any online reading
  const logged = actions.accessLog === "court" ? reading?.mode === "online" : allows(app, "access_log");
  const accessLog = actions.accessLog && logged ? accessLogBlock(app.id, actions.accessLog) : null;
  // 退回补正: 补正 (amend, then resubmit) first; 重新申请 resubmits the same application.
  // Which of them the status allows is the application's answer (`actions`).
  const correct = allows(app, "correct") && actions.correct;
  if (correct) tail.push(button("补正", actions.correct, "primary", { "data-action": "correct" }));
  if (allows(app, "reapply") && actions.reapply) tail.push(button("重新申请", actions.reapply, correct ? "default" : "primary", { "data-action": "reapply" }));
  if (allows(app, "withdraw") && actions.withdraw) tail.push(button("撤回申请", actions.withdraw, "default", { "data-action": "withdraw" }));
  // 已终止 says why at the top: the reader's relation to the case ended, and reading with it
  const revoked = app.status === "revoked" && app.revocation
    ? h("p", { class: "notice revocation", role: "note" }, h("strong", {}, "阅卷已终止："), app.revocation.reason) : null;
  return h("div", { class: "detail" },
    h("p", { class: "status-line" }, "状态：", statusTag(app.status)), revoked,
    returnNotice(app, correct ? "请点击页面下方的“补正”，按审查意见修改申请内容、申请原因或申请材料后重新提交。" : null),
    h("section", { class: "block", "aria-labelledby": "b1" }, h("h2", { id: "b1" }, "申请信息"),
      table([["案号", app.case_no], ["承办法院", app.court], ["申请人", app.applicant?.name], ["申请日期", fmtDate(app.applied_at)], ["申请内容", app.scope], ["申请原因", app.reason]])),
    h("section", { class: "block", "aria-labelledby": "b2" }, h("h2", { id: "b2" }, "审查信息"),
      review ? table([["审查人", review.reviewer], ["审查日期", fmtDate(review.reviewed_at)], ["审查意见", LABELS.opinion[review.opinion] || review.opinion],
        ["审查意见说明", review.explanation], ["阅卷方式", review.mode ? LABELS.mode[review.mode] : "—"]]) : h("p", { class: "muted" }, "待审查")),
    h("section", { class: "block", "aria-labelledby": "b3" }, h("h2", { id: "b3" }, "申请材料"), materials),
    h("section", { class: "block", "aria-labelledby": "b4" }, h("h2", { id: "b4" }, "阅卷材料"), readingBlock),
    actions.booking && allows(app, "book_onsite") ? bookingBlock(app) : null,
    accessLog,
    tail.length ? h("div", { class: "actions" }, tail) : null);
}

// -- 预约阅卷时间: an on-site reader books a slot of the reading room within the window ----
const WEEKDAYS = ["周日", "周一", "周二", "周三", "周四", "周五", "周六"];

// "2030-03-05（周二）": noon in Beijing is the same day in UTC
export function dayWords(date) {
  return `${date}（${WEEKDAYS[new Date(`${date}T12:00:00+08:00`).getUTCDay()]}）`;
}

// "2030-03-05（周二）上午 09:00–12:00", or without the day "上午 09:00–12:00"
export function slotWords(slot, { day = true } = {}) {
  const part = slot.start < "12:00" ? "上午" : slot.start < "18:00" ? "下午" : "晚上";
  const time = `${part} ${slot.start}–${slot.end}`;
  return day ? `${dayWords(slot.date)}${time}` : time;
}

// The block under 阅卷材料: the booked slot, then the open slots of the window by day, each
// with its free seats (余 N) and 预约 (已满 when none is left). A new booking replaces the
// old. The refusals say why: 名额已满, 闭馆日, 不在阅卷期限内. The booking's answer is shown
// at once: the application itself hears of it a moment later.
export function bookingBlock(app) {
  /** @type {`/api/v1/applications/${string}`} */
  const base = `/api/v1/applications/${encodeURIComponent(app.id)}`;
  const current = h("div", { class: "booking-current", "aria-live": "polite" });
  const message = h("div", { class: "booking-message", "aria-live": "assertive" });
  const list = h("div", { class: "booking-slots" }, h("p", { class: "loading" }, "正在读取可预约时段…"));
  const attempt = intent();  // a retry of the same booking reuses its key
  function showCurrent(booking) {
    current.replaceChildren(booking
      ? h("p", { class: "booked ok-text" }, h("strong", {}, "已预约："), slotWords(booking), "。如需更改，请在下方另选时段（原预约随之取消）。")
      : h("p", { class: "muted" }, "尚未预约到场时间，请在下方选择时段。"));
  }
  async function choose(slot, e) {
    message.replaceChildren();
    await whileBusy(e?.currentTarget, async () => {
      try {
        const booked = await attempt.send("POST", `${base}/onsite-booking`, { date: slot.date, start: slot.start });
        showCurrent(booked);
        // 阅卷材料 above says it too (the application hears of it a moment later)
        const row = [...(block.closest(".detail")?.querySelectorAll(".kv-row") || [])].find((r) => r.querySelector("dt")?.textContent === "预约到场时间");
        if (row) row.querySelector("dd").textContent = slotWords(booked);
        toast(`预约成功：${slotWords(booked)}`);
        await load();
      } catch (err) {
        const text = err instanceof ApiFailure && err.code === "invalid_date" && err.message ? `${err.message}。` : errorText(err);
        message.replaceChildren(errorBox(text));
        toast(text, true);
        if (err instanceof ApiFailure && ["slot_full", "invalid_date"].includes(err.code)) await load().catch(() => {});
      }
    });
  }
  async function load() {
    const { items, booking } = await api("GET", `${base}/onsite-slots`);
    showCurrent(booking);
    if (!items.length) {
      list.replaceChildren(h("p", { class: "empty" }, "阅卷期限内已没有可预约的时段。如仍需阅卷，请联系档案室。"));
      return;
    }
    const days = new Map();
    for (const slot of items) (days.get(slot.date) || days.set(slot.date, []).get(slot.date)).push(slot);
    list.replaceChildren(h("ul", { class: "slot-days weui-cells" }, [...days].map(([date, slots]) => h("li", { class: "slot-day weui-cell", "data-date": date },
      h("div", { class: "weui-cell__bd" }, h("strong", { class: "slot-date" }, dayWords(date)),
        h("ul", { class: "slot-list" }, slots.map((slot) => {
          const mine = booking && booking.date === slot.date && booking.start === slot.start;
          const label = slotWords(slot, { day: false });
          return h("li", { class: "slot", "data-start": slot.start, "data-free": slot.free },
            h("span", { class: "slot-time" }, label), " ",
            h("span", { class: slot.free ? "slot-free" : "slot-free error-text" }, mine ? "（已预约）" : slot.free ? `余 ${slot.free}` : "名额已满"), " ",
            mine ? null : button(slot.free ? "预约" : "已满", (e) => choose(slot, e), slot.free ? "primary" : "default",
              { disabled: !slot.free, "data-action": "book", "aria-label": `预约 ${slot.date} ${label}` }));
        })))))));
  }
  load().catch((err) => list.replaceChildren(errorBox(err)));
  const block = h("section", { class: "block booking-block", "aria-labelledby": "b-booking" }, h("h2", { id: "b-booking" }, "预约阅卷时间"),
    h("p", { class: "muted" }, "请在阅卷期限内预约到场时间；周末及闭馆日不开放。预约成功后将以站内信和短信通知您，并在前一天提醒。"),
    current, message, list);
  return block;
}

// 阅卷记录: every page view, print, link made and link opened, as the dossier service's
// tamper-evident log has them; loaded when asked, newest first. `whose` is "own" (the
// reader, in /m/ and /web/), "court" (its clerks, in /staff/) or "case" (every read of a
// case's dossier, readers and staff, in /staff/).
const ACCESS_LOG = {
  own: { path: (id) => `/api/v1/applications/${encodeURIComponent(id)}/access-log`, note: "本申请下的每一次查看、打印和链接使用都会记录在此，仅您本人可见。" },
  court: { path: (id) => `/api/v1/staff/applications/${encodeURIComponent(id)}/access-log`, note: "申请人对本案卷宗的每一次查看、打印和链接使用（申请人本人也可看到同样的记录）。" },
  case: { path: (caseNo) => `/api/v1/staff/cases/${encodeURIComponent(caseNo)}/access-log`, note: "本案电子卷宗的每一次查阅：阅卷人的查看、打印和链接使用，以及本院工作人员的预览。" },
};

export function accessLogBlock(subject, whose) {
  const { path, note } = ACCESS_LOG[whose];
  const list = h("ol", { class: "access-log weui-cells" });
  const pages = pagedList(path(subject), accessLogRow, {
    list, empty: h("p", { class: "muted access-log-empty" }, "暂无阅卷记录"), start: "查看阅卷记录", action: "access-log",
  });
  // the court keeps a paper copy in the case file (入卷归档): the whole record as a PDF
  const record = whose === "court" ? h("a", { href: `/api/v1/staff/applications/${encodeURIComponent(subject)}/access-log/pdf`, target: "_blank", rel: "noopener",
    class: "btn btn-link", "data-action": "access-record-pdf" }, "导出阅卷记录（PDF）") : null;
  return h("section", { class: "block", "aria-labelledby": "b5" }, h("h2", { id: "b5" }, "阅卷记录"),
    h("p", { class: "muted" }, note), record, pages.element);
}

function accessLogRow(entry) {
  const what = [LABELS.access[entry.action] || entry.action];
  if (entry.document_title) what.push(`《${entry.document_title}》`);
  if (entry.page) what.push(`第${entry.page}页`);
  const who = entry.role ? `${entry.actor}（${LABELS.role[entry.role] || entry.role}）` : entry.actor;
  const under = entry.application_id ? ` · 申请 ${entry.application_id}` : entry.role && !["party", "lawyer"].includes(entry.role) ? " · 本院预览" : "";
  return h("li", { class: "weui-cell access-entry" },
    h("span", { class: "what" }, what.join(" ")),
    h("small", { class: "muted" }, h("time", { datetime: entry.at }, fmtTime(entry.at)), ` · ${who}${under}`));
}

// 复制链接: a link to open on a PC, copied to the clipboard (shown too, in case the
// browser refuses the clipboard).
export async function copyLink(appId, container) {
  try {
    const { url, expires_at } = await api("POST", `/api/v1/applications/${encodeURIComponent(appId)}/dossier/links`);
    let copied = false;
    try {
      await navigator.clipboard.writeText(url);
      copied = true;
    } catch {
      copied = false;
    }
    const box = h("input", { class: "link-box", readonly: true, value: url, "aria-label": "阅卷链接" });
    // 作废链接: a link left on a shared PC stops opening at once (sign-in is still needed
    // to open one; this is for peace of mind).
    const revoke = button("作废链接", async () => {
      try {
        await api("DELETE", `/api/v1/applications/${encodeURIComponent(appId)}/dossier/links`);
        container.replaceChildren(h("p", { class: "muted" }, "本申请的阅卷链接已全部作废，需要时可重新复制。"));
        toast("链接已作废");
      } catch (err) {
        toast(errorText(err), true);
      }
    }, "default", { "data-action": "revoke-links" });
    if (container) container.replaceChildren(h("p", {}, copied ? "已复制链接，可在电脑浏览器中打开（需登录本人账号）：" : "请复制以下链接，在电脑浏览器中打开："), box,
      h("small", { class: "muted" }, `链接有效至 ${fmtTime(expires_at)}`), h("div", { class: "actions" }, revoke));
    if (!copied) box.select();
    toast(copied ? "已复制链接" : "请手动复制链接");
  } catch (err) {
    toast(errorText(err), true);
  }
}

// 打印 of the dossier: the reader ticks documents (every readable one at first) and one
// stamped PDF of them, in the dossier's order, is made in the background while a bar shows
// the pages done of the total; 下载打印文件 then opens it (every download is in 阅卷记录).
export async function printDossier(appId, container) {
  /** @type {`/api/v1/applications/${string}/dossier`} */
  const base = `/api/v1/applications/${encodeURIComponent(appId)}/dossier`;
  let dossier;
  try {
    dossier = await api("GET", base);
  } catch (err) {
    return toast(errorText(err), true);
  }
  const docs = dossier.volumes.flatMap((v) => v.documents.map((d) => ({ ...d, volume: v.title })));
  if (!docs.length) return toast("该案暂无电子卷宗。", true);
  const boxes = docs.map((d) => h("input", { type: "checkbox", checked: true, value: d.id, id: `print-doc-${d.id}`, "data-doc": d.id }));
  const summary = h("p", { class: "muted print-summary", "aria-live": "polite" });
  const chosen = () => docs.filter((_, i) => boxes[i].checked);
  const count = () => {
    const picked = chosen();
    summary.textContent = `已选 ${picked.length} 份文件，共 ${picked.reduce((n, d) => n + d.page_count, 0)} 页`;
  };
  for (const box of boxes) box.addEventListener("change", count);
  const progress = h("div", { class: "print-progress", "aria-live": "polite" });
  const send = intent();
  const start = button("生成打印文件", () => whileBusy(start, async () => {
    const picked = chosen();
    if (!picked.length) return toast("请至少选择一份文件", true);
    try {
      const job = await send.send("POST", `${base}/prints`, picked.length === docs.length ? {} : { documents: picked.map((d) => d.id) });
      follow(job);
    } catch (err) {
      toast(errorText(err), true);
    }
  }), "primary", { "data-action": "print-start" });
  function follow(job) {
    const bar = h("progress", { max: job.pages_total, value: job.pages_done, "aria-label": "打印文件生成进度" });
    const text = h("span", { class: "print-status" });
    progress.replaceChildren(bar, text);
    const show = (now) => {
      bar.value = now.pages_done;
      if (now.status === "done") {
        text.textContent = `打印文件已生成（共 ${now.pages_total} 页）。`;
        progress.append(h("a", { href: `${base}/prints/${encodeURIComponent(now.id)}/pdf`, target: "_blank", rel: "noopener",
          class: "btn btn-primary weui-btn weui-btn_primary", "data-action": "print-download" }, "下载打印文件"));
      } else if (now.status === "failed") {
        text.textContent = "打印文件生成失败，请重新生成。";
      } else {
        text.textContent = now.status === "queued" ? "排队中，请稍候……" : `正在生成：已完成 ${now.pages_done} / ${now.pages_total} 页`;
        setTimeout(poll, 800);
      }
    };
    const poll = async () => {
      if (!document.body.contains(bar)) return; // the reader left the page
      try {
        show(await api("GET", `${base}/prints/${encodeURIComponent(job.id)}`));
      } catch (err) {
        text.textContent = errorText(err);
      }
    };
    show(job);
  }
  container.replaceChildren(h("fieldset", { class: "print-choice" }, h("legend", {}, "选择要打印的文件"),
    h("p", { class: "muted" }, "所选文件将按卷宗顺序合成一份加盖您的水印的 PDF，生成后可下载打印；每次下载都会记入阅卷记录。"),
    h("ul", { class: "print-docs" }, docs.map((d, i) => h("li", {}, h("label", { for: boxes[i].id }, boxes[i], ` ${d.volume} · ${d.title}（${d.page_count}页）`)))),
    summary, h("div", { class: "actions" }, start), progress));
  count();
  boxes[0].focus();
}

// 打印 of one document (the viewer): the stamped copy opens in a tab of its own; a long document takes a while to stamp
// (about 45 pages a second), so the reader is told before the tab sits there loading.
export function openPrintCopy(appId, doc) {
  if (doc.page_count > 100) toast(`正在生成打印文件（共${doc.page_count}页，约需${Math.ceil(doc.page_count / 40)}秒），请稍候`);
  window.open(pdfUrl(appId, doc.id), "_blank", "noopener");
}

export function pdfUrl(appId, docId) {
  return `/api/v1/applications/${encodeURIComponent(appId)}/dossier/documents/${encodeURIComponent(docId)}/pdf`;
}

// -- the dossier viewer (查看案卷) --------------------------------------------------------
// A reader sees what their grant covers; 打印 only where the clerk allowed it.
/**
 * @param {HTMLElement} root
 * @param {string | number} appId
 * @param {{ back?: any }} options
 */
export async function dossierViewer(root, appId, { back }) {
  /** @type {`/api/v1/applications/${string}/dossier`} */
  const base = `/api/v1/applications/${encodeURIComponent(appId)}/dossier`;
  const [dossier, user] = await Promise.all([api("GET", base), me().catch(() => null)]);
  viewer(root, dossier, {
    heading: `查看案卷 ${dossier.case_no}`,
    note: `有效截止日期 ${dossier.valid_until}，逾期需重新申请`,
    pageUrl: (doc, n) => `${base}/documents/${doc.id}/pages/${n}`,
    print: dossier.print !== false ? (doc) => openPrintCopy(appId, doc) : null,
    noPrint: "仅限在线查看，不可打印",
    back: back && [back, "返回申请详情"],
    place: readingPlace(user, "application", appId),
  });
}

// The court's own preview of a case's whole dossier, 副卷 included, stamped with the staff
// member's name; every page is in the case's 阅卷记录.
export async function staffDossierViewer(root, caseNo, { back }) {
  /** @type {`/api/v1/staff/cases/${string}`} */
  const base = `/api/v1/staff/cases/${encodeURIComponent(caseNo)}`;
  const [dossier, user] = await Promise.all([api("GET", `${base}/dossier`), me().catch(() => null)]);
  viewer(root, dossier, {
    heading: `卷宗预览 ${dossier.case_no}`,
    note: "含副卷，仅供本院审查；副卷不对阅卷人开放。每次查看均记入本案阅卷记录。",
    pageUrl: (doc, n) => `${base}/documents/${doc.id}/pages/${n}`,
    volumeLabel: (v) => (v.grantable === false ? `${v.title}（不对阅卷人开放）` : v.title),
    back: back && [back, "返回审查"],
    place: readingPlace(user, "case", caseNo),
  });
}

// 继续阅读: where this person last was in this dossier, kept in this browser so the viewer
// opens there next time. Only a document id and a page number are stored, under a key
// naming the account and the application (or, in the console, the case): on a shared PC
// the next person starts at the beginning of their own reading. Without a known account
// nothing is remembered. A browser that refuses storage simply starts at the first page.
function readingPlace(user, kind, id) {
  if (!user || user.id === undefined || user.id === null) return null;
  const key = `court.reading-place:${user.id}:${kind}:${id}`;
  return {
    load() {
      try {
        const place = JSON.parse(localStorage.getItem(key) || "null");
        return place && Number.isInteger(place.page) ? { doc: place.doc, page: place.page } : null;
      } catch {
        return null;
      }
    },
    save(doc, page) {
      try {
        localStorage.setItem(key, JSON.stringify({ doc, page }));
      } catch {
        // storage full or refused: reading goes on, the place is just not remembered
      }
    },
  };
}

// Scales of the page image, as a fraction of its own pixels (1240 px wide: A4 at 150 dpi).
const ZOOM_STEPS = [0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1, 1.1, 1.25, 1.5, 1.75, 2, 2.5, 3];
const PAGE_PIXELS = 1240;
// Thumbnail pictures fetched at the same time, at most (see thumbnails() below).
const THUMBS_AT_ONCE = 3;
// A swipe turns the page when the finger moved this far sideways, mostly sideways, quickly.
const SWIPE_MIN_PX = 60;
const SWIPE_MAX_MS = 800;

/**
 * @param {HTMLElement} root
 * @param {any} dossier
 * @param {{ heading: string, note: string, pageUrl: (doc: any, n: number) => string, print?: any, noPrint?: any, volumeLabel?: (v: any) => string, back: any, place: any }} options
 */
function viewer(root, dossier, { heading, note, pageUrl, print, noPrint, volumeLabel = (v) => v.title, back, place }) {
  const docs = dossier.volumes.flatMap((v) => v.documents.map((d) => ({ ...d, volume: v.title })));
  if (!docs.length) {
    root.replaceChildren(h("div", { class: "viewer" }, viewerHead(heading, note, back), h("p", { class: "empty" }, "该案暂无电子卷宗。")));
    return;
  }
  let current = null;
  let page = 0;
  /** @type {"fit" | number} */
  let zoom = "fit"; // "fit" (适合宽度) or a scale of ZOOM_STEPS
  // The next page, fetched ahead once the current one has loaded, so 下一页 shows at once.
  // Every page fetch is stamped and logged by the server as a view (阅卷记录, and the
  // parties' 查阅记录), so a page fetched ahead IS recorded as viewed even if the reader
  // never turns to it: hence only the one page right after the current one, of the same
  // document, never two ahead and never across documents. While `ahead` holds it, the
  // picture stays in the page's list of available images, which the browser reuses for
  // the same address whatever Cache-Control says, so turning the page fetches nothing.
  let ahead = null;
  const img = h("img", { class: "page-image", alt: "卷宗页面" });
  const frame = h("div", { class: "page-frame fit", role: "region", "aria-label": "卷宗页面", tabindex: "0" }, img);
  const pageInput = h("input", { type: "number", min: 1, value: 1, class: "page-input", "aria-label": "页码", inputmode: "numeric" });
  const total = h("span", { class: "page-total" });
  const title = h("h2", { class: "doc-title" });
  const announce = h("p", { class: "sr-only viewer-status", role: "status", "aria-live": "polite" });
  const zoomLabel = h("span", { class: "zoom-level", "aria-live": "polite" });
  const tool = (label, action, keys, onclick, extra = {}) =>
    button(label, onclick, "default", { "data-action": action, "aria-keyshortcuts": keys, class: "btn btn-default weui-btn weui-btn_default weui-btn_mini", ...extra });
  const first = tool("首页", "first", "Home", () => open(current, 1));
  const prev = tool("上一页", "prev", "ArrowLeft PageUp", () => open(current, page - 1));
  const next = tool("下一页", "next", "ArrowRight PageDown", () => open(current, page + 1));
  const last = tool("末页", "last", "End", () => open(current, current.page_count));
  const zoomOut = tool("−", "zoom-out", "-", () => step(-1), { "aria-label": "缩小", title: "缩小（−）" });
  const zoomIn = tool("+", "zoom-in", "+", () => step(1), { "aria-label": "放大", title: "放大（+）" });
  const fit = tool("适合宽度", "fit", null, () => setZoom("fit"));
  const actual = tool("100%", "actual-size", null, () => setZoom(1), { "aria-label": "实际大小 100%" });
  const thumbs = thumbnails(pageUrl, (n) => open(current, n));
  const thumbsToggle = tool("缩略图", "thumbnails", null, () => {
    const shown = thumbsToggle.getAttribute("aria-expanded") !== "true";
    thumbsToggle.setAttribute("aria-expanded", String(shown));
    thumbs.show(shown, current, page);
  }, { "aria-expanded": "false", "aria-controls": thumbs.element.id });
  const side = h("nav", { class: "volumes", "aria-label": "卷宗目录" },
    dossier.volumes.map((v) => h("div", { class: "volume" }, h("h2", { class: "volume-title" }, volumeLabel(v)),
      h("ul", {}, v.documents.map((d) => h("li", {}, h("button", { type: "button", class: "doc-link", "data-doc": d.id, onclick: () => open(docs.find((x) => x.id === d.id), 1) }, `${d.title}（${d.page_count}页）`)))))));

  function open(doc, n) {
    if (!doc) return;
    const target = Math.min(Math.max(1, Math.trunc(n) || 1), doc.page_count);
    pageInput.value = target;
    if (doc === current && target === page) return; // already shown: no second fetch
    const newDoc = doc !== current;
    current = doc;
    page = target;
    img.src = pageUrl(doc, page);
    img.alt = `${doc.title} 第${page}页`;
    pageInput.max = doc.page_count;
    total.textContent = `/ ${doc.page_count} 页`;
    title.textContent = `${doc.volume} · ${doc.title}`;
    announce.textContent = `${newDoc ? `${doc.title}，` : ""}第${page}页，共${doc.page_count}页`;
    // aria-disabled, not disabled: a disabled button would drop the focus of the person
    // who just pressed it; pressing it again at the end simply does nothing.
    for (const b of [first, prev]) b.setAttribute("aria-disabled", String(page === 1));
    for (const b of [next, last]) b.setAttribute("aria-disabled", String(page === doc.page_count));
    for (const b of side.querySelectorAll(".doc-link")) b.setAttribute("aria-current", String(b.dataset.doc === String(doc.id)));
    thumbs.select(doc, page);
    if (newDoc && zoom !== "fit") frame.scrollTo(0, 0);
    if (place) place.save(doc.id, page);
  }
  img.addEventListener("load", () => {
    layout();
    const upcoming = page < current.page_count ? pageUrl(current, page + 1) : null;
    if (upcoming && img.src.endsWith(pageUrl(current, page)) && !(ahead?.src.endsWith(upcoming))) {
      ahead = new Image();
      ahead.src = upcoming;
    }
  });
  img.addEventListener("error", () => toast("页面加载失败：可能已超过阅卷截止时间，请刷新页面。", true));
  pageInput.addEventListener("change", () => open(current, Number(pageInput.value) || 1));

  // -- zoom: 适合宽度 (the default) fits the page to the column; a scale shows the page's
  // pixels at that size and the frame scrolls both ways when the page is larger.
  function scaleNow() {
    return zoom === "fit" ? img.clientWidth / (img.naturalWidth || PAGE_PIXELS) : zoom;
  }
  function step(direction) {
    const now = scaleNow();
    const to = direction > 0 ? ZOOM_STEPS.find((s) => s > now + 0.005) : [...ZOOM_STEPS].reverse().find((s) => s < now - 0.005);
    if (to) setZoom(to);
  }
  function setZoom(value) {
    zoom = value;
    layout();
  }
  function layout() {
    const fitting = zoom === "fit";
    img.style.width = fitting ? "" : `${Math.round((img.naturalWidth || PAGE_PIXELS) * /** @type {number} */ (zoom))}px`;
    frame.classList.toggle("fit", fitting);
    frame.classList.toggle("zoomed", !fitting);
    // panning a page wider than the frame is the finger's; a swipe turns pages otherwise
    frame.classList.toggle("pannable", frame.scrollWidth > frame.clientWidth + 1);
    fit.setAttribute("aria-pressed", String(fitting));
    actual.setAttribute("aria-pressed", String(zoom === 1));
    const scale = scaleNow();
    zoomLabel.textContent = `${Math.round(scale * 100)}%`;
    zoomOut.setAttribute("aria-disabled", String(scale <= ZOOM_STEPS[0] + 0.005));
    zoomIn.setAttribute("aria-disabled", String(scale >= ZOOM_STEPS[ZOOM_STEPS.length - 1] - 0.005));
  }
  if (typeof ResizeObserver === "function") new ResizeObserver(() => zoom === "fit" && img.isConnected && layout()).observe(frame);

  // -- swipe on a touch screen: left for the next page, right for the previous one; not
  // while the page is zoomed wider than the frame, where the finger pans the page.
  let touch = null;
  frame.addEventListener("pointerdown", (e) => {
    touch = e.pointerType === "touch" && e.isPrimary && !frame.classList.contains("pannable") ? { x: e.clientX, y: e.clientY, at: e.timeStamp } : null;
  });
  frame.addEventListener("pointercancel", () => (touch = null));
  frame.addEventListener("pointerup", (e) => {
    if (!touch) return;
    const dx = e.clientX - touch.x;
    const dy = e.clientY - touch.y;
    const quick = e.timeStamp - touch.at < SWIPE_MAX_MS;
    touch = null;
    if (quick && Math.abs(dx) >= SWIPE_MIN_PX && Math.abs(dx) > 2 * Math.abs(dy)) open(current, dx < 0 ? page + 1 : page - 1);
  });

  // -- keyboard on a PC: ←/→ and PageUp/PageDown turn pages, Home/End go to the first and
  // last page, +/- zoom (Ctrl/⌘ with +/- stays the browser's own zoom). Typing in a field
  // is left alone.
  const KEYS = {
    ArrowRight: () => open(current, page + 1), PageDown: () => open(current, page + 1),
    ArrowLeft: () => open(current, page - 1), PageUp: () => open(current, page - 1),
    Home: () => open(current, 1), End: () => open(current, current.page_count),
    "+": () => step(1), "=": () => step(1), "-": () => step(-1),
  };
  const onKey = (e) => {
    if (!img.isConnected) return document.removeEventListener("keydown", onKey);
    if (e.ctrlKey || e.metaKey || e.altKey || e.target.closest?.("input, select, textarea, [contenteditable]")) return;
    const action = KEYS[e.key];
    if (!action) return;
    e.preventDefault();
    action();
  };
  document.addEventListener("keydown", onKey);

  const printControl = print ? button("打印", () => print(current), "primary", { "data-action": "print", class: "btn btn-primary weui-btn weui-btn_primary weui-btn_mini" })
    : noPrint ? h("span", { class: "muted no-print" }, noPrint) : null;
  const resume = place?.load();
  const start = resume && docs.find((d) => d.id === resume.doc);
  const resumed = Boolean(start && (start !== docs[0] || resume.page > 1));
  const resumeNote = resumed ? h("p", { class: "notice resume-note" }, `已从上次阅读的位置继续：《${start.title}》第${Math.min(resume.page, start.page_count)}页。`,
    button("从第1页开始", () => {
      resumeNote.remove();
      open(docs[0], 1);
    }, "default", { "data-action": "from-start", class: "btn btn-link" })) : null;
  root.replaceChildren(h("div", { class: "viewer" },
    viewerHead(heading, note, back), resumeNote,
    h("div", { class: "viewer-body" }, side,
      h("div", { class: "viewer-main" },
        h("div", { class: "toolbar" }, title,
          h("div", { class: "tool-group pager" }, first, prev, h("label", { class: "page-label" }, "第 ", pageInput, " ", total), next, last),
          printControl),
        h("div", { class: "toolbar zoombar" },
          h("div", { class: "tool-group", role: "group", "aria-label": "缩放" }, zoomOut, zoomLabel, zoomIn, fit, actual),
          thumbsToggle,
          h("p", { class: "keys-hint muted" }, "键盘：←/→ 翻页，Home/End 首页/末页，+/− 缩放")),
        thumbs.element, announce, frame))));
  if (resumed) open(start, resume.page);
  else open(docs[0], 1);
  layout();
}

function viewerHead(heading, note, back) {
  return h("div", { class: "viewer-head" }, h("h1", { tabindex: "-1" }, heading),
    h("p", { class: "deadline", role: "note" }, note),
    back ? h("a", { href: back[0], "data-nav": true, class: "back" }, back[1]) : null);
}

// Thumbnails of the current document's pages, shown when the reader asks (缩略图). Every
// page picture the server sends is stamped and recorded as a page view, in the reader's
// 阅卷记录 and in the parties' 查阅记录 alike, so a strip that fetched every page of a
// 1,000-page document would record a thousand pages "read". So: the strip is page-number
// tiles; a tile's picture is fetched only once the tile is in view in the strip
// (IntersectionObserver, plus loading="lazy" as a second guard), and only if it is still
// in view a moment later (a fast scroll past fetches nothing); at most THUMBS_AT_ONCE at a
// time. What is fetched is therefore the pages whose tiles the reader actually looked at,
// each once while the strip shows that document.
let thumbStrips = 0;
function thumbnails(pageUrl, onPick) {
  const element = h("div", { class: "thumbs", id: `thumbs-${++thumbStrips}`, hidden: true, role: "group", "aria-label": "本文件页面缩略图" });
  let doc = null;
  let shown = false;
  let tiles = [];
  let queue = [];
  let loading = 0;
  const visible = new Set();
  const observer = typeof IntersectionObserver === "function" ? new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const tile = /** @type {HTMLElement} */ (entry.target);
      if (entry.isIntersecting) {
        visible.add(tile);
        if (!tile.dataset.state) {
          tile.dataset.state = "queued";
          queue.push(tile);
        }
      } else {
        visible.delete(tile);
        if (tile.dataset.state === "queued") {
          delete tile.dataset.state;
          queue = queue.filter((t) => t !== tile);
        }
      }
    }
    setTimeout(pump, 150);
  }, { root: element, rootMargin: "0px 40px" }) : null;
  function pump() {
    while (loading < THUMBS_AT_ONCE && queue.length) {
      const tile = queue.shift();
      if (!visible.has(tile) || !tile.isConnected) {
        delete tile.dataset.state;
        continue;
      }
      tile.dataset.state = "loading";
      loading += 1;
      const picture = h("img", { alt: "", loading: "lazy", decoding: "async" });
      const done = (state) => () => {
        loading -= 1;
        tile.dataset.state = state;
        observer.unobserve(tile);
        pump();
      };
      picture.addEventListener("load", done("loaded"), { once: true });
      picture.addEventListener("error", done("failed"), { once: true });
      picture.src = pageUrl(doc, Number(tile.dataset.page));
      tile.prepend(picture);
    }
  }
  function build() {
    if (observer) observer.disconnect();
    queue = [];
    visible.clear();
    tiles = Array.from({ length: doc.page_count }, (_, i) => h("button", { type: "button", class: "thumb", "data-page": i + 1, "aria-label": `第${i + 1}页`, onclick: () => onPick(i + 1) },
      h("span", { class: "thumb-no", "aria-hidden": "true" }, String(i + 1))));
    element.replaceChildren(...tiles);
    element.dataset.doc = doc.id;
  }
  function select(nextDoc, page) {
    if (nextDoc !== doc) {
      doc = nextDoc;
      if (shown) build();
      else tiles = [];
    }
    if (!shown) return;
    for (const tile of tiles) tile.setAttribute("aria-current", String(Number(tile.dataset.page) === page));
    const tile = tiles[page - 1];
    if (tile) element.scrollLeft = tile.offsetLeft - (element.clientWidth - tile.offsetWidth) / 2;
    if (observer) for (const t of tiles) if (!t.dataset.state || t.dataset.state === "queued") observer.observe(t);
  }
  function show(on, currentDoc, page) {
    shown = on;
    element.hidden = !on;
    if (!on) {
      if (observer) observer.disconnect();
      queue = [];
      visible.clear();
      for (const t of tiles) if (t.dataset.state === "queued") delete t.dataset.state;
      return;
    }
    if (!tiles.length || doc !== currentDoc) {
      doc = currentDoc;
      build();
    }
    select(currentDoc, page);
  }
  return { element, select, show };
}

// 站内信: decisions and the reminder before a deadline; opening one marks it read.
export async function messagesList(applicationPath, go) {
  const row = (m) => {
    const open = async (e) => {
      e.preventDefault();
      if (!m.read) await api("POST", `/api/v1/messages/${encodeURIComponent(m.id)}/read`).catch(() => null);
      if (m.application_id) go(applicationPath(m.application_id));
    };
    return h("li", { class: m.read ? "message weui-cell" : "message unread weui-cell", "data-id": m.id },
      h("a", { href: m.application_id ? applicationPath(m.application_id) : "#", onclick: open },
        h("strong", {}, m.read ? "" : "● ", m.title), h("span", { class: "muted" }, ` ${fmtTime(m.at)}`), h("p", {}, m.body)));
  };
  const list = h("ul", { class: "messages weui-cells" });
  const pages = pagedList("/api/v1/messages", row, { list, empty: h("p", { class: "empty" }, "暂无站内信。") });
  await pages.load();
  return pages.element;
}

// -- 我的案件 and who read them ----------------------------------------------------------
// The caller's cases (a party's own, a lawyer's of record or bound), newest first, each
// with 申请阅卷; a party's also with 查阅记录: who else read the case's dossier. `base` is
// the front end ("/m" or "/web"); `table` draws a table (the web center) instead of cells.
export async function myCasesList(user, base, { table = false } = {}) {
  const reads = (c) => (user.role === "party" && c.relation === "party"
    ? h("a", { href: `${base}/cases/${encodeURIComponent(c.case_no)}/reads`, "data-nav": true, class: "btn btn-link case-reads-link", "data-action": "reads" }, "查阅记录") : null);
  const apply = (c) => (c.can_apply === false ? null
    : h("a", { href: `${base}/applications/new?case_no=${encodeURIComponent(c.case_no)}`, "data-nav": true, class: "btn btn-link", "data-action": "apply" }, "申请阅卷"));
  const facts = (c) => [c.court, c.cause, LABELS.caseStatus[c.status] || c.status].filter(Boolean).join(" · ");
  const row = table
    ? (c) => h("tr", { "data-case": c.case_no }, h("td", {}, c.case_no), h("td", {}, c.court || "—"), h("td", {}, c.cause || "—"),
        h("td", {}, LABELS.caseStatus[c.status] || c.status || "—"), h("td", {}, LABELS.relation[c.relation] || c.relation || "—"), h("td", {}, h("div", { class: "row-actions" }, apply(c), reads(c))))
    : (c) => h("div", { class: "weui-cell case-row", "data-case": c.case_no },
        h("div", { class: "weui-cell__bd" }, h("p", { class: "case-no" }, c.case_no), h("p", { class: "muted" }, `${facts(c)} · 您是：${LABELS.relation[c.relation] || c.relation}`)),
        h("div", { class: "weui-cell__ft row-actions" }, apply(c), reads(c)));
  const body = table ? h("tbody", {}) : h("div", { class: "weui-cells case-list" });
  const shell = table ? h("table", { class: "grid-table case-list" },
    h("thead", {}, h("tr", {}, ["案号", "承办法院", "案由", "案件状态", "您是", "操作"].map((t) => h("th", { scope: "col" }, t)))), body) : body;
  const empty = h("p", { class: "empty" }, user.role === "lawyer"
    ? "暂无案件：您在案代理或案件绑定通过的案件会列在这里；审理中的案件请先申请案件绑定。"
    : "暂无案件：以您本人身份登记为当事人的案件会列在这里；如有遗漏，请核对实名认证信息或联系法院。");
  const pages = pagedList("/api/v1/my/cases", row, { list: body, shell, empty });
  await pages.load();
  return pages.element;
}

// 谁查阅了我的案件 (B13): for a party, who else read the case's dossier through a reading
// grant, one line per reader and court day, newest first; what is not here is said too.
export const READS_NOTE = "以下是其他人通过阅卷申请查阅本案电子卷宗的记录（每人每天一行）。您本人的查阅记录见各申请的阅卷记录；法院工作人员的查阅由法院留存。";

export async function caseReads(caseNo, { table = false } = {}) {
  const who = (r) => r.reader?.name || "—";
  const role = (r) => LABELS.role[r.reader?.role] || r.reader?.role || "—";
  const docs = (r) => (r.documents?.length ? r.documents.map((t) => `《${t}》`).join("") : "—");
  const row = table
    ? (r) => h("tr", { class: "read-row" }, h("td", {}, h("time", { datetime: r.date }, r.date)), h("td", { class: "reader" }, who(r)), h("td", {}, role(r)),
        h("td", { class: "documents" }, docs(r)), h("td", { class: "pages" }, String(r.pages)), h("td", { class: "prints" }, String(r.prints)))
    : (r) => h("div", { class: "weui-cell read-row" },
        h("div", { class: "weui-cell__bd" }, h("p", { class: "reader" }, `${who(r)}（${role(r)}）`), h("p", { class: "documents" }, docs(r)),
          h("p", { class: "muted" }, `查看 ${r.pages} 页 · 打印 ${r.prints} 次`)),
        h("div", { class: "weui-cell__ft" }, h("time", { datetime: r.date }, r.date)));
  const body = table ? h("tbody", {}) : h("div", { class: "weui-cells case-reads-list" });
  const shell = table ? h("table", { class: "grid-table case-reads-list" },
    h("thead", {}, h("tr", {}, ["日期", "查阅人", "身份", "查阅的文书", "页数", "打印次数"].map((t) => h("th", { scope: "col" }, t)))), body) : body;
  const pages = pagedList(`/api/v1/my/cases/${encodeURIComponent(caseNo)}/reads`, row, {
    list: body, shell, empty: h("p", { class: "empty" }, "暂无他人查阅本案电子卷宗的记录。"),
  });
  await pages.load();
  return h("section", { class: "case-reads" }, h("p", { class: "notice reads-note", role: "note" }, READS_NOTE), pages.element);
}
