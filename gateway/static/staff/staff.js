// 法院工作台: the court's console. Clerks review applications and bindings, archivists
// keep the on-site list, admins import cases, ingest dossiers and create staff accounts.
import {
  ApiFailure, LABELS, accessLogBlock, accountSummary, api, button, changePasswordForm, createRouter, detailBlocks, errorBox, errorText, field,
  dayWords, fmtDate, fmtTime, h, input, intent, loginForm, me, onSubmit, pagedList, safeNext, sendForm, STATUSES, signOut, signOutBlock, slotWords, staffDossierViewer, statusTag,
  toast, verifiedText, whileBusy,
} from "/static/common.js";

// 案件导入 and 律师名册 are typed one row a line, the fields split by a comma (, or ，).
const commaRows = (box) => box.value.split("\n").map((l) => l.split(/[,，]/).map((x) => x.trim())).filter((p) => p[0]);

// An admin's import: on submit, `send` posts the rows, and the toast says how many the server took.
function importOnSubmit(form, unit, send) {
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const r = await send();
      toast(`已导入 ${r.imported} ${unit}`);
    } catch (err) {
      toast(errorText(err), true);
    }
  });
}

const root = document.getElementById("app");
const nav = document.getElementById("nav");
const STAFF = ["clerk", "archivist", "admin"];
const HOME = { clerk: "/staff/applications", archivist: "/staff/onsite", admin: "/staff/admin/cases" };
// A binding's statuses in the clerk's words (an application's come from LABELS.status).
const BINDING_STATUS = { pending: "待审查", approved: "已同意", rejected: "不同意", revoked: "已撤销" };
const ROOM_DAY = "/staff/reading-room";
const ROOM_SETTINGS = "/staff/reading-room/settings";
const VERIFICATION_TABS = [["pending", "待审核"], ["approved", "已通过"], ["rejected", "未通过"]];
const BINDING_TABS = [["pending", BINDING_STATUS.pending], ["approved", BINDING_STATUS.approved], ["revoked", BINDING_STATUS.revoked]];

async function signedIn(...roles) {
  const user = await me();
  if (!STAFF.includes(user.role)) {
    await signOut();
    throw new ApiFailure(401, "unauthenticated", "");
  }
  renderNav(user);
  if (roles.length && !roles.includes(user.role)) throw new ApiFailure(403, "forbidden", "");
  return user;
}

function renderNav(user) {
  if (!user) return nav.replaceChildren();
  const links = {
    clerk: [["/staff/applications", "阅卷审查"], ["/staff/bindings", "绑定审查"], ["/staff/verifications", "实名认证"], ["/staff/exports", "统计导出"]],
    archivist: [["/staff/onsite", "现场阅卷"], [ROOM_DAY, "阅卷室"], [ROOM_SETTINGS, "阅卷室设置"], ["/staff/exports", "统计导出"]],
    admin: [["/staff/admin/cases", "案件导入"], ["/staff/admin/documents", "卷宗入库"], ["/staff/admin/lawyers", "律师名册"], ["/staff/admin/staff", "工作人员"],
      ["/staff/admin/users", "账号管理"], ["/staff/verifications", "实名认证"], [ROOM_SETTINGS, "阅卷室设置"], ["/staff/admin/holidays", "工作日历"]],
  }[user.role];
  // the page's own link is the longest that leads to it (阅卷室 and 阅卷室设置 share a start)
  const here = links.map(([href]) => href).filter((href) => location.pathname === href || location.pathname.startsWith(`${href}/`))
    .sort((a, b) => b.length - a.length)[0];
  const out = h("a", { href: "#" }, "退出");
  out.addEventListener("click", async (e) => {
    e.preventDefault();
    await signOut();
    nav.replaceChildren();
    router.go("/staff/login");
  });
  nav.replaceChildren(...links.map(([href, text]) => h("a", { href, "data-nav": true, "aria-current": href === here ? "page" : null }, text)),
    h("a", { href: "/staff/account", "data-nav": true, class: "who", title: "我的：修改密码、退出所有设备" }, `${user.name}（${LABELS.role[user.role]}${user.court ? ` · ${user.court}` : ""}）`), out);
}

function waited(seconds) {
  if (seconds == null) return "—";
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  return days ? `${days}天${hours}小时` : `${hours}小时${Math.floor((seconds % 3600) / 60)}分`;
}

function radios(name, options, value) {
  return h("div", { class: "radios", role: "radiogroup" }, options.map(([v, label]) =>
    h("label", {}, h("input", { type: "radio", name, value: v, checked: v === value }), " ", label)));
}

// Who the applicant is to the case, as case_binding answered when they applied.
const RELATION = {
  party: "本案当事人", lawyer_of_record: "在案代理律师", lawyer_bound: "已绑定律师（案件绑定）",
  lawyer_archived: "归档案件律师（凭四项材料）", none: "与本案无登记关系",
};

// "已实名认证（人工核验身份证件，2024-05-01）" or "未实名认证" (— where the service said nothing)
function verification(v) {
  const yes = Boolean(v) && v.verified !== false;
  return v === undefined ? "—" : h("span", { class: yes ? "verified ok-text" : "unverified error-text" }, verifiedText(v));
}

function who(applicant) {
  return RELATION[applicant?.relation] || LABELS.role[applicant?.role] || "—";
}

// What the clerk needs beside the request: the applicant's standing and the case itself.
function reviewContext(app, kase, dossier) {
  const a = app.applicant || {};
  // 实名认证 and how: two people with one name are told apart by how each was verified
  const rows = [["申请人", a.name], ["身份", who(a)], ["实名认证", verification(a.verification)]];
  if (a.role === "lawyer") rows.push(["执业证号", a.license_no || "—"], ["律师事务所", a.law_firm || "—"], ["代理的当事人", a.acts_for || "—"]);
  else if (a.acts_for) rows.push(["代表的单位", a.acts_for]);
  const kv = (pairs) => h("dl", { class: "kv" }, pairs.map(([k, v]) => h("div", { class: "kv-row" }, h("dt", {}, k), h("dd", {}, v ?? "—"))));
  const caseBlock = kase ? [
    kv([["案件状态", kase.status === "archived" ? "已归档" : "审理中"], ["案由", kase.cause || "—"],
      ["电子卷宗", dossier ? "有（可在线阅卷）" : "无（只能现场阅卷）"]]),
    h("h3", {}, "当事人"),
    h("ul", { class: "case-parties" }, kase.parties.map((p) => h("li", {}, `${p.side || "当事人"}：${p.name}`,
      p.kind === "organisation" && p.representative ? `（法定代表人 ${p.representative}）` : ""))),
    kase.lawyers.length ? h("h3", {}, "在案代理律师") : null,
    kase.lawyers.length ? h("ul", { class: "case-lawyers" }, kase.lawyers.map((l) => h("li", {}, `${l.name}（代理 ${l.party_name || "—"}）`))) : null,
  ] : [h("p", { class: "muted" }, "案件信息暂不可查。")];
  return h("section", { class: "block review-context", "aria-labelledby": "b0" }, h("h2", { id: "b0" }, "申请人与本案"), kv(rows), ...caseBlock);
}

// 阅卷范围: the case's 正卷 as a checklist beside what the applicant asked for (申请内容);
// all ticked grants the whole 正卷, documents ingested later included. 副卷 is listed for
// the clerk's eyes only and cannot be ticked.
function grantChecklist(app, dossier) {
  if (!dossier) return { element: h("p", { class: "muted" }, "本案暂无电子卷宗，只能同意现场阅卷。"), chosen: () => undefined };
  const boxes = [];
  const volumes = dossier.volumes.map((v) => h("fieldset", { class: "grant-volume" }, h("legend", {}, v.grantable ? v.title : `${v.title}（不对阅卷人开放）`),
    v.documents.map((d) => {
      const box = h("input", { type: "checkbox", name: "documents", value: String(d.id), checked: v.grantable, disabled: !v.grantable });
      if (v.grantable) boxes.push(box);
      return h("label", { class: "grant-doc" }, box, ` ${d.title}（${d.page_count}页）`);
    })));
  const element = h("div", { class: "grant-checklist" },
    h("p", {}, h("strong", {}, "申请内容："), app.scope),
    h("p", { class: "muted" }, "勾选准许查阅的正卷文件；全部勾选即准许查阅全部正卷（含此后入库的文件）。"), volumes);
  return { element, chosen: () => (boxes.every((b) => b.checked) ? undefined : boxes.filter((b) => b.checked).map((b) => Number(b.value))) };
}

// 补正内容: what the applicant changed since the application they corrected (退回补正),
// above the application itself; `previous` is that application when it could be read.
function changesBlock(app, previous) {
  const c = app.changes || {};
  const fromTo = (change) => h("span", { class: "change" }, h("del", { class: "before" }, change.before || "—"), " → ", h("ins", { class: "after" }, change.after || "—"));
  const files = (items, which) => h("ul", { class: `change-materials ${which}` }, items.map((m) => h("li", { "data-material": m.id },
    h("a", { href: `/api/v1/uploads/${encodeURIComponent(m.id)}`, target: "_blank", rel: "noopener" }, `${LABELS.kind[m.kind] || m.kind}：${m.filename}`))));
  const rows = [];
  if (c.scope) rows.push(["申请内容", fromTo(c.scope)]);
  if (c.reason) rows.push(["申请原因", fromTo(c.reason)]);
  if (c.materials_added?.length) rows.push(["新增材料", files(c.materials_added, "added")]);
  if (c.materials_removed?.length) rows.push(["移除材料", files(c.materials_removed, "removed")]);
  const origin = [["原申请", h("a", { href: `/staff/applications/${encodeURIComponent(app.reapplied_from)}`, "data-nav": true, class: "previous-link" },
    previous ? `${fmtDate(previous.applied_at)} 提交（${LABELS.status[previous.status] || previous.status}）` : "查看原申请")]];
  if (previous?.review?.explanation) origin.push(["原审查意见", previous.review.explanation]);
  const kv = (pairs) => h("dl", { class: "kv changes-kv" }, pairs.map(([k, v]) => h("div", { class: "kv-row" }, h("dt", {}, k), h("dd", {}, v ?? "—"))));
  return h("section", { class: "block correction-changes", "aria-labelledby": "b-changes" }, h("h2", { id: "b-changes" }, "补正内容（与退回前相比）"),
    kv(origin), rows.length ? kv(rows) : h("p", { class: "unchanged muted" }, "未作修改"));
}

// The decisions review offers on this application now (the `decisions` of its answer: the
// opinions and modes a clerk may choose, whether an explanation is required, and the one
// review writes when it is left empty), so neither the rule nor its words are retyped here.
function decisionForm(app, dossier, decisions, onDone) {
  const offered = (opinion, mode) => decisions.find((d) => d.opinion === opinion && (opinion !== "approve" || d.mode === mode));
  const opinions = [...new Set(decisions.map((d) => d.opinion))];
  const modes = decisions.filter((d) => d.opinion === "approve").map((d) => d.mode);
  const onlineDays = offered("approve", "online")?.default_valid_days;
  const form = h("form", { class: "card form decision-form", novalidate: true });
  const validUntil = input("valid_until", { type: "date" });
  const start = input("start_date", { type: "date" });
  const end = input("end_date", { type: "date" });
  const explanation = h("textarea", { name: "explanation", rows: 4, placeholder: "审查意见说明" });
  const message = h("div", { "aria-live": "assertive" });
  const checklist = grantChecklist(app, dossier);
  const printable = h("input", { type: "checkbox", name: "print", checked: true, role: "switch" });
  const online = h("div", { class: "mode-online" }, field("有效截止日期", validUntil, onlineDays ? `不填则为${onlineDays}天后` : ""),
    h("fieldset", {}, h("legend", {}, "阅卷范围"), checklist.element), h("label", { class: "print-switch" }, printable, " 允许打印"));
  const onsite = h("div", { class: "mode-onsite", hidden: true }, field("起始时间", start), field("截止时间", end));
  const modeBox = h("fieldset", {}, h("legend", {}, "阅卷方式"), radios("mode", modes.map((m) => [m, LABELS.mode[m] || m]), modes[0]), online, onsite);
  form.append(h("h2", {}, "审查决定"),
    h("fieldset", {}, h("legend", {}, "审查意见"), radios("opinion", opinions.map((o) => [o, LABELS.opinion[o] || o]), opinions[0])),
    modeBox, field("审查意见说明", explanation), message,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "btn btn-primary" }, "提交审查决定")));
  const value = (name) => form.querySelector(`input[name=${name}]:checked`)?.value;
  const chosen = () => offered(value("opinion"), value("mode"));
  // review's default for an empty explanation; the on-site one names the dates chosen
  const defaultText = () => (chosen()?.default_explanation || "").replace("{start_date}", start.value || "起始时间").replace("{end_date}", end.value || "截止时间");
  function sync() {
    modeBox.hidden = value("opinion") !== "approve";
    online.hidden = value("mode") !== "online";
    onsite.hidden = value("mode") !== "onsite";
    const option = chosen();
    explanation.required = Boolean(option?.explanation_required);
    explanation.placeholder = option?.explanation_required ? "必填：请写明理由" : defaultText() ? `不填则为：${defaultText()}` : "审查意见说明";
  }
  if (!dossier) {  // 在线阅卷 cannot be granted without an electronic dossier
    const onlineRadio = form.querySelector("input[name=mode][value=online]");
    if (onlineRadio) onlineRadio.disabled = true;
    const onsiteRadio = form.querySelector("input[name=mode][value=onsite]");
    if (onsiteRadio) onsiteRadio.checked = true;
    onsite.prepend(h("p", { class: "notice no-dossier" }, "因未扫描电子卷，需到库申请纸质卷：本案没有电子卷宗，只能同意现场阅卷。"));
  }
  form.addEventListener("change", sync);
  form.addEventListener("input", sync);
  const decision = intent();  // a retry of the same decision reuses its Idempotency-Key
  onSubmit(form, submit);
  async function submit() {
    message.replaceChildren();
    /** @type {ApiBody<"/api/v1/staff/applications/{id}/decision", "post">} */
    const body = { opinion: /** @type {"approve" | "reject" | "return"} */ (value("opinion")) };
    // left empty: review writes its default (the placeholder), or says it is required
    const text = explanation.value.trim();
    if (text || chosen()?.explanation_required) body.explanation = text;
    if (body.opinion === "approve") {
      body.mode = /** @type {"online" | "onsite"} */ (value("mode"));
      if (body.mode === "online") {
        if (validUntil.value) body.valid_until = validUntil.value;
        const documents = checklist.chosen();
        if (documents) body.documents = documents;
        body.print = printable.checked;
      }
      if (body.mode === "onsite") {
        body.start_date = start.value;
        body.end_date = end.value;
      }
    }
    try {
      const result = await decision.send("POST", `/api/v1/staff/applications/${app.id}/decision`, body);
      toast("审查决定已提交");
      onDone(result);
    } catch (err) {
      if (err.code === "no_electronic_dossier") {
        form.querySelector("input[name=mode][value=onsite]").checked = true;
        sync();
      }
      message.replaceChildren(errorBox(err));
    }
  }
  sync();
  return form;
}

function attendanceForm(app, onDone) {
  const r = app.reading || {};
  const attended = h("select", { name: "attended" }, h("option", { value: "true", selected: r.attended === true }, "是"), h("option", { value: "false", selected: r.attended === false }, "否"));
  const local = (iso) => (iso ? fmtTime(iso).replace(" ", "T").slice(0, 16) : "");
  const borrowed = input("borrowed_at", { type: "datetime-local", value: local(r.borrowed_at), "aria-label": "借阅时间" });
  const returned = input("returned_at", { type: "datetime-local", value: local(r.returned_at), "aria-label": "还卷时间" });
  // datetime-local has no zone: the archivist means Beijing time; sent as UTC, the form
  // every service stores
  const iso = (v) => (v ? new Date(`${v}:00+08:00`).toISOString() : undefined);
  const form = h("form", { class: "inline-form attendance-form", "data-id": app.id },
    h("label", {}, "是否到场 ", attended), h("label", {}, "借阅时间 ", borrowed), h("label", {}, "还卷时间 ", returned),
    h("button", { type: "submit", class: "btn btn-primary" }, "登记"));
  // a retry of a lost answer, with the same key, gives the first answer and records nothing more
  const record = intent();
  onSubmit(form, async () => {
    try {
      await record.send("POST", `/api/v1/staff/applications/${app.id}/attendance`, { attended: attended.value === "true", borrowed_at: iso(borrowed.value), returned_at: iso(returned.value) });
      toast("已登记");
      onDone();
    } catch (err) {
      toast(errorText(err), true);
    }
  });
  return form;
}

// A line of the reading room's day list and the buttons its state allows: 到场 / 未到场
// before anything is recorded, 借阅 once there, 还卷 once borrowed. Each sends the whole
// record (API.md's attendance), the new time as "now" on the court's clock.
function roomLine(line, onDone) {
  const record = intent();
  const send = (body, done, e) => whileBusy(e?.currentTarget, async () => {
    try {
      await record.send("POST", `/api/v1/staff/applications/${encodeURIComponent(line.application_id)}/attendance`, body);
      toast(done);
      onDone();
    } catch (err) {
      toast(errorText(err), true);
    }
  });
  const kept = { borrowed_at: line.borrowed_at || undefined, returned_at: line.returned_at || undefined };
  const actions = [];
  if (line.attended !== true) actions.push(button("到场", (e) => send({ attended: true, ...kept }, "已登记到场", e), "primary", { "data-action": "arrived" }));
  if (line.attended !== false && !line.borrowed_at) actions.push(button("未到场", (e) => send({ attended: false }, "已登记未到场", e), "default", { "data-action": "no-show" }));
  if (line.attended === true && !line.borrowed_at) actions.push(button("借阅", (e) => send({ attended: true, borrowed_at: "now" }, "已登记借阅", e), "primary", { "data-action": "borrow" }));
  if (line.borrowed_at && !line.returned_at) actions.push(button("还卷", (e) => send({ attended: true, borrowed_at: line.borrowed_at, returned_at: "now" }, "已登记还卷", e), "primary", { "data-action": "return" }));
  if (line.returned_at) actions.push(h("span", { class: "ok-text" }, "已还卷"));
  return h("tr", { "data-id": line.application_id, class: "room-line" },
    h("td", {}, h("a", { href: `/staff/applications/${encodeURIComponent(line.application_id)}`, "data-nav": true }, line.case_no)),
    h("td", {}, line.applicant?.name), h("td", {}, LABELS.role[line.applicant?.role] || "—"), h("td", {}, statusTag(line.status)),
    h("td", { class: "attended-cell" }, line.attended === true ? "是" : line.attended === false ? "否" : "未登记"),
    h("td", { class: "borrowed-cell" }, line.borrowed_at ? fmtTime(line.borrowed_at) : "—"),
    h("td", { class: "returned-cell" }, line.returned_at ? fmtTime(line.returned_at) : "—"),
    h("td", {}, h("div", { class: "inline-form" }, actions)));
}

// The room's settings as a form: one row per slot (开始, 结束, 名额), 添加时段, and the
// closed and open days one per line; 保存 sends it whole (PUT) and shows what was stored.
function roomForm(room) {
  const rows = h("tbody", {});
  const slotRow = (slot = { start: "", end: "", capacity: 5 }) => {
    const start = input("start", { type: "time", value: slot.start, required: true, "aria-label": "开始时间" });
    const end = input("end", { type: "time", value: slot.end, required: true, "aria-label": "结束时间" });
    const capacity = input("capacity", { type: "number", min: 1, max: 500, value: slot.capacity, required: true, "aria-label": "名额" });
    const tr = h("tr", { class: "slot-row" }, h("td", {}, start), h("td", {}, end), h("td", {}, capacity),
      h("td", {}, button("删除", () => tr.remove(), "default", { "data-action": "remove-slot" })));
    tr.value = () => ({ start: start.value, end: end.value, capacity: Number(capacity.value) });
    return tr;
  };
  rows.append(...room.slots.map(slotRow));
  const dates = (list) => h("textarea", { rows: 4, placeholder: "每行一个日期，如 2030-10-01" }, list.join("\n"));
  const closed = dates(room.closed_dates);
  const opened = dates(room.open_dates);
  closed.name = "closed_dates";
  opened.name = "open_dates";
  const message = h("div", { "aria-live": "assertive" });
  const lines = (t) => t.value.split(/[\s,，]+/).map((d) => d.trim()).filter(Boolean);
  const form = h("form", { class: "card form room-form", novalidate: true },
    h("p", { class: "muted" }, `${room.court}${room.configured ? "" : "（尚未设置，以下为默认值）"}：每个开放日使用相同的时段；周末闭馆，列入开放日的周末照常开放。`),
    h("table", { class: "grid-table room-slots" }, h("thead", {}, h("tr", {}, ["开始时间", "结束时间", "名额", ""].map((t) => h("th", { scope: "col" }, t)))), rows),
    h("div", { class: "actions" }, button("添加时段", () => rows.append(slotRow()), "default", { "data-action": "add-slot" })),
    field("闭馆日", closed, "节假日等不开放的日期"), field("开放日", opened, "照常开放的周末（调休）"), message,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "btn btn-primary" }, "保存")));
  const save = intent();
  onSubmit(form, async () => {
    message.replaceChildren();
    const body = { court: room.court, slots: [...rows.children].map((tr) => tr.value()), closed_dates: lines(closed), open_dates: lines(opened) };
    try {
      /** @type {`/api/v1/staff/reading-room${"" | `?court=${string}`}`} */
      const where = room.court ? `/api/v1/staff/reading-room?court=${encodeURIComponent(room.court)}` : "/api/v1/staff/reading-room";
      const stored = await save.send("PUT", where, body);
      toast("阅卷室设置已保存");
      form.replaceWith(roomForm(stored));
    } catch (err) {
      message.replaceChildren(errorBox(err));
    }
  });
  return form;
}

// How each applicant was verified, as the application's detail said: review's answer to
// a decision does not carry it, and the screen drawn from that answer shows it still.
const verificationOf = new Map();

// The application as the review screen shows it, with its applicant's 实名认证 state: the
// staff detail carries it (applications asks identity); a decision's answer gets it from
// the detail read before.
function withVerification(app) {
  if (!app.applicant) return app;
  if (app.applicant.verification !== undefined) {
    verificationOf.set(String(app.id), app.applicant.verification);
    return app;
  }
  return verificationOf.has(String(app.id)) ? { ...app, applicant: { ...app.applicant, verification: verificationOf.get(String(app.id)) } } : app;
}

// The console's lists page with 加载更多 (common.js pagedList): the three queues 100 rows at
// a time (the most a page holds), the account lists 50.
const PAGE = 50;
const QUEUE_PAGE = 100;

// One request in the 实名认证 queue: who the account says they are, the document they sent
// (pictures shown, PDFs linked), 通过 / 不通过 with the reason.
function verificationRow(v) {
  const u = v.user || {};
  const explanation = input("explanation", { placeholder: "不通过时必填：原因", "aria-label": "审核说明", maxlength: 500 });
  const attempt = intent();
  const decide = (decision) => {
    const text = explanation.value.trim();
    if (decision === "reject" && !text) {
      explanation.focus();
      return toast("不通过时请填写原因，申请人将看到该说明", true);
    }
    return whileBusy([approve, reject], async () => {
      try {
        await attempt.send("POST", `/api/v1/staff/verifications/${encodeURIComponent(v.id)}/decision`, text ? { decision, explanation: text } : { decision });
        toast(decision === "approve" ? `已通过：${u.name}` : `已不通过：${u.name}`);
        row.remove();
      } catch (err) {
        toast(errorText(err), true);
      }
    });
  };
  const approve = button("通过", () => decide("approve"), "primary", { "data-action": "approve" });
  const reject = button("不通过", () => decide("reject"), "default", { "data-action": "reject" });
  const materials = (v.materials || []).map((m) => {
    const url = `/api/v1/uploads/${encodeURIComponent(m.id)}`;
    const label = `${LABELS.kind[m.kind] || m.kind}：${m.filename}`;
    const picture = m.content_type ? m.content_type.startsWith("image/") : /\.(jpe?g|png)$/i.test(m.filename || "");
    const link = h("a", { href: url, target: "_blank", rel: "noopener", title: m.filename });
    if (picture) {
      const img = h("img", { src: url, alt: label, class: "id-thumb" });
      img.addEventListener("error", () => link.replaceChildren(label));  // not a picture after all: its name
      link.append(img);
    } else {
      link.append(label);
    }
    return h("div", { class: "id-material" }, link);
  });
  const lawyer = u.role === "lawyer" ? `${u.license_no || "—"} / ${u.law_firm || "—"}` : "—";
  const pending = v.status === "pending";
  const second = pending ? (v.at ? waited(Math.max(0, (Date.now() - new Date(v.at).getTime()) / 1000)) : "—") : fmtTime(v.decided_at);
  const outcome = pending ? h("td", {}, h("div", { class: "inline-form" }, explanation, approve, reject))
    : h("td", {}, h("span", { class: `tag tag-${v.status}`, "data-status": v.status }, v.status === "approved" ? "已通过" : "未通过"),
      ` ${v.decided_by_name || ""}`, v.explanation ? h("div", { class: "muted" }, v.explanation) : null);
  const row = h("tr", { "data-id": v.id },
    h("td", {}, fmtTime(v.at)), h("td", {}, second), h("td", { class: "person" }, u.name), h("td", {}, LABELS.role[u.role] || u.role || "—"),
    h("td", { class: "id-number" }, u.id_number || "—"), h("td", {}, u.phone || "—"), h("td", {}, lawyer),
    h("td", { class: "materials-cell" }, materials.length ? materials : "—"), outcome);
  return row;
}

// One account in 账号管理; 停用 and 启用 each ask once more before they act.
function userRow(u) {
  const row = h("tr", { "data-id": u.id });
  const action = h("div", { class: "inline-form" });
  function draw() {
    row.replaceChildren(h("td", {}, u.name), h("td", {}, LABELS.role[u.role] || u.role), h("td", {}, u.phone || "—"), h("td", {}, u.court || "—"),
      h("td", {}, ["party", "lawyer"].includes(u.role) ? (u.verified ? "已认证" : "未认证") : "—"),
      h("td", {}, h("span", { class: `tag ${u.disabled ? "tag-expired" : "tag-approved"}`, "data-state": u.disabled ? "disabled" : "active" }, u.disabled ? "已停用" : "正常")),
      h("td", {}, action));
    action.replaceChildren(u.disabled ? button("启用", ask, "default", { "data-action": "enable" }) : button("停用", ask, "warn", { "data-action": "disable" }));
  }
  function ask() {
    const verb = u.disabled ? "启用" : "停用";
    const warning = u.disabled ? `确认启用“${u.name}”的账号？启用后可重新登录。` : `确认停用“${u.name}”的账号？停用后立即退出所有登录，且不能再登录。`;
    const go = button(`确认${verb}`, (e) => whileBusy([e.currentTarget, cancel], async () => {
      try {
        await api("POST", `/api/v1/admin/users/${encodeURIComponent(u.id)}/${u.disabled ? "enable" : "disable"}`);
        u.disabled = !u.disabled;
        toast(`已${verb}：${u.name}`);
        draw();
      } catch (err) {
        toast(errorText(err), true);
      }
    }), u.disabled ? "primary" : "warn", { "data-action": "confirm" });
    const cancel = button("取消", draw, "default", { "data-action": "cancel" });
    action.replaceChildren(h("span", { class: "confirm-text", role: "alert" }, warning), go, cancel);
    go.focus();
  }
  draw();
  return row;
}

function queueRow(a) {
  return h("tr", { "data-id": a.id },
    h("td", {}, a.case_no), h("td", {}, a.applicant?.name), h("td", {}, who(a.applicant)), h("td", {}, fmtDate(a.applied_at)),
    h("td", {}, waited(a.waited_seconds), a.waited_working_days != null ? h("small", { class: "muted working-days" }, `（${a.waited_working_days}个工作日）`) : null),
    h("td", {}, a.scope), h("td", {}, statusTag(a.status)),
    h("td", {}, h("a", { href: `/staff/applications/${a.id}`, "data-nav": true, class: "btn btn-link" }, a.decisions?.length ? "审查" : "查看")));
}

let decidedNow = null;  // the application object review answered a decision with

const routes = [
  [/^\/staff\/?$/, async () => {
    const user = await signedIn();
    router.replace(HOME[user.role]);
  }],
  // 阅卷申请审查: every status as a tab with its real count (one call), a search by 案号 and
  // 申请人姓名 within the tab, and the queue 100 rows at a time, oldest first (加载更多).
  [/^\/staff\/applications$/, async (el) => {
    await signedIn("clerk");
    const params = new URLSearchParams(location.search);
    const status = STATUSES.includes(params.get("status")) ? params.get("status") : "pending";
    const wanted = { case_no: (params.get("case_no") || "").trim(), applicant: (params.get("applicant") || "").trim() };
    const searching = Boolean(wanted.case_no || wanted.applicant);
    const address = (next) => {
      const q = new URLSearchParams(Object.entries(next).filter(([, v]) => v));
      return `/staff/applications${q.toString() ? `?${q}` : ""}`;
    };
    const { counts } = await api("GET", "/api/v1/staff/applications/counts");
    const tabs = h("div", { class: "counts queue-tabs" }, STATUSES.map((s) => h("a", {
      href: address({ status: s, ...wanted }), "data-nav": true, "data-status": s, class: s === status ? "count active" : "count", "aria-current": s === status ? "page" : null,
    }, h("span", {}, LABELS.status[s]), h("strong", {}, String(counts?.[s] ?? 0)))));
    const caseNo = input("case_no", { type: "search", value: wanted.case_no, placeholder: "案号，如（2021）粤01民初1号", "aria-label": "案号" });
    const applicant = input("applicant", { type: "search", value: wanted.applicant, placeholder: "申请人姓名", "aria-label": "申请人姓名" });
    const search = h("form", { class: "inline-form list-tools queue-search", role: "search" }, caseNo, applicant,
      h("button", { type: "submit", class: "btn btn-primary", "data-action": "search" }, "查询"),
      searching ? h("a", { href: address({ status }), "data-nav": true, class: "btn btn-link", "data-action": "clear-search" }, "清除查询") : null);
    search.addEventListener("submit", (e) => {
      e.preventDefault();
      router.go(address({ status, case_no: caseNo.value.trim(), applicant: applicant.value.trim() }));
    });
    const body = h("tbody", {});
    const table = h("table", { class: "grid-table queue" },
      h("thead", {}, h("tr", {}, ["案号", "申请人", "身份", "申请日期", "已等待", "申请内容", "状态", "操作"].map((t) => h("th", { scope: "col" }, t)))), body);
    const pages = pagedList("/api/v1/staff/applications", queueRow, {
      params: { status, ...wanted }, limit: QUEUE_PAGE, list: body, shell: table,
      empty: h("p", { class: "empty" }, searching ? `${LABELS.status[status]}的申请中没有符合查询条件的申请。` : "队列中没有申请。"),
    });
    let listing = pages.element;
    try {
      await pages.load();
    } catch (err) {
      if (!(err instanceof ApiFailure && err.status === 422)) throw err;
      listing = errorBox(err);  // a malformed 案号: said beside the search, which stays
    }
    const exported = (format) => `/api/v1/staff/exports/queue?${new URLSearchParams(Object.entries({ format, status, ...wanted }).filter(([, v]) => v))}`;
    const exports = h("p", { class: "list-tools queue-exports" }, "导出当前列表：",
      h("a", { href: exported("xlsx"), class: "btn btn-link", download: "", "data-action": "export-xlsx" }, "Excel（XLSX）"),
      h("a", { href: exported("csv"), class: "btn btn-link", download: "", "data-action": "export-csv" }, "CSV"));
    el.replaceChildren(h("h1", {}, "阅卷申请审查"), tabs, search, exports,
      searching ? h("p", { class: "muted search-note" }, `在“${LABELS.status[status]}”中查询；各状态的数量为本院全部申请。`) : "", listing);
  }],
  // 统计导出: a year's figures by month on screen, and every export of the court to download
  [/^\/staff\/exports$/, async (el) => {
    await signedIn("clerk", "archivist");
    const params = new URLSearchParams(location.search);
    const thisYear = Number(fmtDate(new Date().toISOString()).slice(0, 4));
    const year = /^\d{4}$/.test(params.get("year") || "") ? Number(params.get("year")) : thisYear;
    const stats = await api("GET", `/api/v1/staff/exports/statistics?format=json&year=${year}`);
    const yearInput = input("year", { type: "number", min: 2000, max: 2100, value: year, "aria-label": "年份" });
    const pick = h("form", { class: "inline-form list-tools" }, h("label", {}, "年份 ", yearInput), h("button", { type: "submit", class: "btn btn-primary" }, "查看"));
    pick.addEventListener("submit", (e) => {
      e.preventDefault();
      router.go(`/staff/exports?year=${encodeURIComponent(yearInput.value)}`);
    });
    const link = (kind, format, query, label) => h("a", { href: `/api/v1/staff/exports/${kind}?${new URLSearchParams({ format, ...query })}`, class: "btn btn-link", download: "", "data-action": `export-${kind}-${format}` }, label);
    const figures = h("table", { class: "grid-table statistics" },
      h("thead", {}, h("tr", {}, stats.columns.map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, stats.rows.map((r) => h("tr", {}, r.map((v) => h("td", {}, String(v)))))));
    const from = input("from", { type: "date", "aria-label": "起始日期" });
    const to = input("to", { type: "date", "aria-label": "截止日期" });
    const decisions = h("div", { class: "decision-exports" });
    const refresh = () => decisions.replaceChildren(link("decisions", "xlsx", { from: from.value, to: to.value }, "审查决定（XLSX）"),
      link("decisions", "csv", { from: from.value, to: to.value }, "审查决定（CSV）"));
    for (const box of [from, to]) box.addEventListener("change", refresh);
    refresh();
    el.replaceChildren(h("h1", {}, "统计导出"),
      h("section", { class: "block" }, h("h2", {}, `${year} 年按月统计`), pick, figures,
        h("p", { class: "list-tools" }, link("statistics", "xlsx", { year }, "导出统计（XLSX）"), link("statistics", "csv", { year }, "导出统计（CSV）"))),
      h("section", { class: "block" }, h("h2", {}, "审查决定"), h("p", { class: "muted" }, "按审查日期导出本院的审查决定；不选日期时为最近 30 天。"),
        h("div", { class: "inline-form list-tools" }, h("label", {}, "起 ", from), h("label", {}, "止 ", to)), decisions),
      h("section", { class: "block" }, h("h2", {}, "审查队列"), h("p", { class: "muted" }, "在“阅卷审查”中按状态、案号或申请人筛选后，可导出当前列表。")));
  }],
  [/^\/staff\/applications\/(\d+)$/, async (el, id) => {
    const user = await signedIn("clerk", "archivist");
    // Just decided here: show review's answer at once; the applications service hears of the
    // decision by event a moment later, and a reload reads its copy as usual.
    const app = withVerification(decidedNow?.id === Number(id) ? decidedNow : await api("GET", `/api/v1/applications/${id}`));
    decidedNow = null;
    const caseNo = encodeURIComponent(app.case_no);
    // the case's whole dossier as this court holds it (none yet: 404)
    const missing = (err) => {
      if (err instanceof ApiFailure && err.status === 404) return null;
      throw err;
    };
    const corrected = app.reapplied_from && app.changes;
    const [dossier, kase, previous, line] = await Promise.all([
      api("GET", `/api/v1/staff/cases/${caseNo}/dossier`).catch(missing),
      api("GET", `/api/v1/staff/cases/${caseNo}`).catch(missing),
      // the application this one corrects: when it was made and what the return said
      corrected ? api("GET", `/api/v1/applications/${encodeURIComponent(app.reapplied_from)}`).catch(() => null) : null,
      // review's line of it: the decisions the caller may take now (none once decided, and
      // none before its submission reached the queue)
      "decisions" in app ? app : api("GET", `/api/v1/staff/applications/${encodeURIComponent(id)}`).catch(missing),
    ]);
    const decisions = line?.decisions || [];
    const side = decisions.length ? decisionForm(app, dossier, decisions, (result) => {
      decidedNow = result;
      router.render();
    }) : null;
    const caseLinks = h("p", { class: "case-links" },
      dossier ? h("a", { href: `/staff/cases/${caseNo}/dossier?from=${encodeURIComponent(id)}`, "data-nav": true, class: "btn btn-default", "data-action": "preview" }, "卷宗预览（含副卷）") : null,
      h("a", { href: `/staff/cases/${caseNo}/access-log?from=${encodeURIComponent(id)}`, "data-nav": true, class: "btn btn-link" }, "本案阅卷记录"));
    el.replaceChildren(h("h1", {}, `审查 ${app.case_no}`), h("a", { href: user.role === "clerk" ? "/staff/applications" : "/staff/onsite", "data-nav": true, class: "back" }, "返回队列"),
      caseLinks, h("div", { class: "review-layout" }, h("div", { class: "review-main" }, reviewContext(app, kase, dossier),
        corrected ? changesBlock(app, previous) : null, detailBlocks(app, { accessLog: "court" })), side));
  }],
  [/^\/staff\/cases\/([^/]+)\/dossier$/, async (el, caseNo) => {
    await signedIn("clerk", "archivist");
    const from = new URLSearchParams(location.search).get("from");
    await staffDossierViewer(el, decodeURIComponent(caseNo), { back: /^\d+$/.test(from || "") ? `/staff/applications/${from}` : null });
  }],
  [/^\/staff\/cases\/([^/]+)\/access-log$/, async (el, caseNo) => {
    await signedIn("clerk", "archivist");
    const from = new URLSearchParams(location.search).get("from");
    const block = accessLogBlock(decodeURIComponent(caseNo), "case");
    el.replaceChildren(h("h1", {}, `本案阅卷记录 ${decodeURIComponent(caseNo)}`),
      /^\d+$/.test(from || "") ? h("a", { href: `/staff/applications/${from}`, "data-nav": true, class: "back" }, "返回审查") : null, block);
    block.querySelector("[data-action=access-log]")?.click();
  }],
  // 现场阅卷登记: every on-site approval, 100 at a time (加载更多); 已过期 keeps the window's
  // no-shows within reach, as attendance can be recorded until a week after the window.
  [/^\/staff\/onsite$/, async (el) => {
    await signedIn("archivist");
    const status = new URLSearchParams(location.search).get("status") === "expired" ? "expired" : "approved";
    const tabs = h("div", { class: "counts onsite-tabs", role: "tablist" }, [["approved", "进行中"], ["expired", "已过期（截止后7天内可登记未到场）"]].map(([s, label]) =>
      h("a", { href: `/staff/onsite${s === "expired" ? "?status=expired" : ""}`, "data-nav": true, role: "tab", "aria-selected": String(s === status), class: s === status ? "count active" : "count" }, h("span", {}, label))));
    const row = (a) => {
      const r = a.reading || {};
      return h("tr", { "data-id": a.id }, h("td", {}, h("a", { href: `/staff/applications/${a.id}`, "data-nav": true }, a.case_no)), h("td", {}, a.applicant?.name),
        h("td", {}, r.start_date), h("td", {}, r.end_date), h("td", { class: "booking-cell" }, r.booking ? slotWords(r.booking) : "未预约"),
        h("td", {}, r.attended === true ? "是" : r.attended === false ? "否" : "未登记"),
        h("td", {}, r.borrowed_at ? fmtTime(r.borrowed_at) : "—"), h("td", {}, r.returned_at ? fmtTime(r.returned_at) : "—"),
        h("td", {}, attendanceForm(a, () => router.render())));
    };
    const body = h("tbody", {});
    const table = h("table", { class: "grid-table onsite" },
      h("thead", {}, h("tr", {}, ["案号", "申请人", "起始时间", "截止时间", "预约到场时间", "是否到场", "借阅时间", "还卷时间", "登记"].map((t) => h("th", { scope: "col" }, t)))), body);
    const pages = pagedList("/api/v1/staff/applications", row, {
      params: { status, mode: "onsite" }, limit: QUEUE_PAGE, list: body, shell: table,
      empty: h("p", { class: "empty" }, status === "expired" ? "没有已过期的现场阅卷申请。" : "暂无待现场阅卷的申请。"),
    });
    await pages.load();
    el.replaceChildren(h("h1", {}, "现场阅卷登记"), tabs,
      h("p", { class: "muted" }, "按日安排到场请用", h("a", { href: ROOM_DAY, "data-nav": true }, "阅卷室"), "的当日名单。"), pages.element);
  }],
  // 阅卷室: the day's bookings by slot (today unless another day is chosen), with 到场 /
  // 未到场 / 借阅 / 还卷 on each. Times are the court's clock at the click ("now").
  [/^\/staff\/reading-room$/, async (el) => {
    await signedIn("archivist");
    const asked = new URLSearchParams(location.search).get("date") || "";
    const day = await api("GET", asked ? `/api/v1/staff/reading-room/bookings?date=${encodeURIComponent(asked)}` : "/api/v1/staff/reading-room/bookings");
    const picker = input("date", { type: "date", value: day.date, "aria-label": "日期" });
    const go = (date) => router.go(`${ROOM_DAY}?date=${encodeURIComponent(date)}`);
    const shift = (days) => {
      const next = new Date(`${day.date}T12:00:00+08:00`);
      next.setUTCDate(next.getUTCDate() + days);
      go(next.toISOString().slice(0, 10));
    };
    const tools = h("form", { class: "inline-form list-tools day-picker", role: "search" },
      button("前一天", () => shift(-1), "default", { "data-action": "previous-day" }), picker,
      h("button", { type: "submit", class: "btn btn-primary", "data-action": "show-day" }, "查看"),
      button("后一天", () => shift(1), "default", { "data-action": "next-day" }),
      h("a", { href: ROOM_DAY, "data-nav": true, class: "btn btn-link" }, "今天"));
    tools.addEventListener("submit", (e) => {
      e.preventDefault();
      if (picker.value) go(picker.value);
    });
    const slots = [...day.slots];
    for (const item of day.items) {  // a booking of a slot the room no longer has
      if (!slots.some((s) => s.start === item.start)) slots.push({ start: item.start, end: item.end, capacity: null, taken: null });
    }
    const heads = ["案号", "申请人", "身份", "状态", "是否到场", "借阅时间", "还卷时间", "操作"];
    const body = h("tbody", {});
    for (const slot of slots) {
      const lines = day.items.filter((i) => i.start === slot.start);
      const seats = slot.capacity == null ? `已约 ${lines.length}` : `已约 ${slot.taken} / ${slot.capacity}`;
      body.append(h("tr", { class: "slot-head", "data-start": slot.start }, h("th", { colspan: heads.length, scope: "rowgroup" }, `${slotWords(slot, { day: false })} · ${seats}`)));
      if (!lines.length) body.append(h("tr", { class: "slot-empty" }, h("td", { colspan: heads.length, class: "muted" }, "本时段无预约")));
      for (const line of lines) body.append(roomLine(line, () => router.render()));
    }
    // a closed day shows only what was booked before it closed
    const closed = day.open ? null : h("p", { class: "notice closed-day" }, `${dayWords(day.date)}为闭馆日${day.items.length ? "，以下预约是闭馆前预约的，请通知申请人改约" : ""}。`);
    const shown = day.open || day.items.length;
    el.replaceChildren(h("h1", {}, `阅卷室 · ${dayWords(day.date)}`), tools, closed,
      shown ? h("table", { class: "grid-table room-day" }, h("thead", {}, h("tr", {}, heads.map((t) => h("th", { scope: "col" }, t)))), body) : null,
      day.items.length ? null : h("p", { class: "empty" }, "当日没有预约。"));
  }],
  // 阅卷室设置: the room's slots and seats, closed days (holidays) and open days (调休 weekends);
  // an admin names the court.
  [/^\/staff\/reading-room\/settings$/, async (el) => {
    const user = await signedIn("archivist", "admin");
    const named = new URLSearchParams(location.search).get("court") || "";
    const head = h("h1", {}, "阅卷室设置");
    if (user.role === "admin") {
      const court = input("court", { value: named, placeholder: "法院名称，如 广东省广州市中级人民法院", "aria-label": "法院" });
      const pick = h("form", { class: "inline-form list-tools room-court" }, court, h("button", { type: "submit", class: "btn btn-primary" }, "读取"));
      pick.addEventListener("submit", (e) => {
        e.preventDefault();
        if (court.value.trim()) router.go(`${ROOM_SETTINGS}?court=${encodeURIComponent(court.value.trim())}`);
      });
      if (!named) return el.replaceChildren(head, h("p", { class: "muted" }, "请先输入要设置阅卷室的法院。"), pick);
      el.replaceChildren(head, pick, roomForm(await api("GET", `/api/v1/staff/reading-room?court=${encodeURIComponent(named)}`)));
      return;
    }
    el.replaceChildren(head, roomForm(await api("GET", "/api/v1/staff/reading-room")));
  }],
  [/^\/staff\/bindings$/, async (el) => {
    await signedIn("clerk");
    const wanted = new URLSearchParams(location.search).get("status");
    const status = BINDING_TABS.some(([s]) => s === wanted) ? wanted : "pending";
    const tabs = h("div", { class: "counts binding-tabs", role: "tablist" }, BINDING_TABS.map(([s, label]) =>
      h("a", { href: `/staff/bindings?status=${s}`, "data-nav": true, role: "tab", "aria-selected": String(s === status), class: s === status ? "count active" : "count" }, h("span", {}, label))));
    const materialsCell = (b) => h("td", {}, (b.materials || []).map((m) => h("div", {}, h("a", { href: `/api/v1/uploads/${m.id}`, target: "_blank", rel: "noopener" }, `${LABELS.kind[m.kind] || m.kind}：${m.filename}`))));
    // 待审查: 同意 or 不同意 with a note
    const pendingRow = (b) => {
      const explanation = input("explanation", { placeholder: "说明（不同意时必填）", "aria-label": "审查说明" });
      const attempt = intent();
      // both buttons wait while either decision is in flight
      const decide = (decision) => whileBusy([approve, reject], async () => {
        try {
          await attempt.send("POST", `/api/v1/staff/bindings/${b.id}/decision`, explanation.value.trim() ? { decision, explanation: explanation.value.trim() } : { decision });
          toast("已审查");
          router.render();
        } catch (err) {
          toast(errorText(err), true);
        }
      });
      const approve = button("同意", () => decide("approve"), "primary", { "data-action": "approve" });
      const reject = button("不同意", () => decide("reject"), "default", { "data-action": "reject" });
      return h("tr", { "data-id": b.id }, h("td", {}, b.case_no), h("td", {}, b.lawyer?.name || "—"), h("td", { class: "verification-cell" }, verification(b.verification)), h("td", {}, b.party_name), h("td", {}, fmtDate(b.applied_at)), materialsCell(b),
        h("td", { class: "inline-form" }, explanation, approve, reject));
    };
    // 已同意: 撤销绑定, with the explanation the lawyer will read (required); the lawyer's
    // reading of the case ends with it unless they are also of record
    const approvedRow = (b) => {
      const explanation = input("explanation", { placeholder: "撤销说明（必填）", "aria-label": "撤销说明", required: true, maxlength: 500 });
      const attempt = intent();
      const revoke = (e) => {
        const text = explanation.value.trim();
        if (!text) {
          explanation.focus();
          return toast("撤销绑定时请填写说明", true);
        }
        return whileBusy(e.currentTarget, async () => {
          try {
            await attempt.send("POST", `/api/v1/staff/bindings/${b.id}/revoke`, { explanation: text });
            toast("已撤销绑定");
            router.render();
          } catch (err) {
            toast(errorText(err), true);
          }
        });
      };
      return h("tr", { "data-id": b.id }, h("td", {}, b.case_no), h("td", {}, b.lawyer?.name || "—"), h("td", { class: "verification-cell" }, verification(b.verification)), h("td", {}, b.party_name), h("td", {}, fmtDate(b.decided_at)), materialsCell(b),
        h("td", { class: "inline-form" }, explanation, button("撤销绑定", revoke, "warn", { "data-action": "revoke" })));
    };
    const revokedRow = (b) => h("tr", { "data-id": b.id }, h("td", {}, b.case_no), h("td", {}, b.lawyer?.name || "—"), h("td", { class: "verification-cell" }, verification(b.verification)), h("td", {}, b.party_name), h("td", {}, fmtDate(b.revoked_at)), materialsCell(b),
      h("td", {}, h("span", { class: `tag tag-${b.status}`, "data-status": b.status }, BINDING_STATUS[b.status] || b.status), " ", b.explanation || ""));
    const [rowOf, dateHead, lastHead, empty] = {
      pending: [pendingRow, "申请日期", "审查", "没有待审查的绑定申请。"],
      approved: [approvedRow, "同意日期", "撤销绑定", "没有已同意的绑定。"],
      revoked: [revokedRow, "撤销日期", "撤销说明", "没有已撤销的绑定。"],
    }[status];
    const body = h("tbody", {});
    const table = h("table", { class: `grid-table bindings bindings-${status}` },
      h("thead", {}, h("tr", {}, ["案号", "律师", "实名认证", "当事人", dateHead, "材料", lastHead].map((t) => h("th", { scope: "col" }, t)))), body);
    const pages = pagedList("/api/v1/staff/bindings", rowOf, { params: { status }, limit: QUEUE_PAGE, list: body, shell: table, empty: h("p", { class: "empty" }, empty) });
    await pages.load();
    el.replaceChildren(h("h1", {}, "案件绑定审查"), tabs, pages.element);
  }],
  [/^\/staff\/admin\/cases$/, async (el) => {
    await signedIn("admin");
    const f = {
      case_no: input("case_no", { placeholder: "（2021）粤01民初1号" }), court: input("court", { value: "广东省广州市中级人民法院" }), cause: input("cause", { placeholder: "案由" }),
      status: h("select", { name: "status" }, h("option", { value: "in_trial" }, "审理中"), h("option", { value: "archived" }, "已归档")),
      dossier: h("input", { type: "checkbox", name: "has_electronic_dossier" }),
      parties: h("textarea", { name: "parties", rows: 3, placeholder: "每行一人：姓名,身份证号,原告/被告" }),
      lawyers: h("textarea", { name: "lawyers", rows: 2, placeholder: "每行一人：姓名,执业证号,代理的当事人姓名" }),
    };
    const form = h("form", { class: "card form", novalidate: true }, h("h1", {}, "案件导入"),
      h("p", { class: "muted" }, "通常由法院案件管理系统推送；此处可逐案录入或更新（按案号）。"),
      field("案号", f.case_no), field("承办法院", f.court), field("案由", f.cause), field("案件状态", f.status), field("已有电子卷宗", f.dossier),
      field("当事人", f.parties), field("代理律师", f.lawyers), h("div", { class: "actions" }, h("button", { type: "submit", class: "btn btn-primary" }, "导入")));
    importOnSubmit(form, "件", () => {
      const kase = { case_no: f.case_no.value.trim(), court: f.court.value.trim(), cause: f.cause.value.trim(), status: f.status.value, has_electronic_dossier: f.dossier.checked,
        parties: commaRows(f.parties).map(([name, id_number, side]) => ({ name, id_number, side: side || "原告" })),
        lawyers: commaRows(f.lawyers).map(([name, license_no, party_name]) => ({ name, license_no, party_name })) };
      return api("POST", "/api/v1/admin/cases", { cases: [kase] });
    });
    el.replaceChildren(form);
  }],
  [/^\/staff\/admin\/documents$/, async (el) => {
    await signedIn("admin");
    const caseNo = input("case_no", { placeholder: "案号" });
    const volume = input("volume", { value: "正卷" });
    const title = input("title", { placeholder: "文件标题，如 起诉状" });
    const file = h("input", { type: "file", accept: "application/pdf,.pdf", name: "file" });
    const bar = h("progress", { max: 100, value: 0, hidden: true, "aria-label": "上传进度" });
    const result = h("div", { "aria-live": "polite" });
    const form = h("form", { class: "card form", novalidate: true }, h("h1", {}, "电子卷宗入库"),
      field("案号", caseNo), field("卷", volume), field("标题", title), field("PDF 文件", file), bar, result,
      h("div", { class: "actions" }, h("button", { type: "submit", class: "btn btn-primary" }, "上传入库")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      if (!file.files[0]) return result.replaceChildren(errorBox("请选择要上传的 PDF 文件。"));
      const data = new FormData();
      data.append("volume", volume.value.trim());
      data.append("title", title.value.trim());
      data.append("file", file.files[0]);
      bar.hidden = false;
      try {
        const doc = await sendForm(`/api/v1/admin/cases/${encodeURIComponent(caseNo.value.trim())}/documents`, data, (p) => (bar.value = p));
        result.replaceChildren(h("p", { class: "ok-text" }, `已入库：${doc.volume} · ${doc.title}（${doc.page_count}页）`));
      } catch (err) {
        result.replaceChildren(errorBox(err));
      }
      bar.hidden = true;
    });
    el.replaceChildren(form);
  }],
  [/^\/staff\/admin\/lawyers$/, async (el) => {
    await signedIn("admin");
    const rows = h("textarea", { name: "lawyers", rows: 5, placeholder: "每行一人：执业证号,姓名,律师事务所" });
    const form = h("form", { class: "card form", novalidate: true }, h("h1", {}, "律师名册"), field("律师", rows),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "btn btn-primary" }, "导入")));
    importOnSubmit(form, "人", () =>
      api("POST", "/api/v1/admin/lawyers", { lawyers: commaRows(rows).map(([license_no, name, law_firm]) => ({ license_no, name, law_firm })) }));
    el.replaceChildren(form);
  }],
  [/^\/staff\/admin\/staff$/, async (el) => {
    await signedIn("admin");
    const f = { name: input("name"), phone: input("phone", { type: "tel" }), password: input("password", { type: "password", autocomplete: "new-password" }),
      role: h("select", { name: "role" }, ["clerk", "archivist", "admin"].map((r) => h("option", { value: r }, LABELS.role[r]))), court: input("court", { value: "广东省广州市中级人民法院" }) };
    const form = h("form", { class: "card form", novalidate: true }, h("h1", {}, "工作人员账号"),
      field("姓名", f.name), field("手机号", f.phone), field("初始密码", f.password), field("角色", f.role), field("所属法院", f.court),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "btn btn-primary" }, "创建账号")));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = /** @type {ApiBody<"/api/v1/admin/staff", "post">} */ (Object.fromEntries(Object.entries(f).map(([k, v]) => [k, k === "password" ? v.value : v.value.trim()])));
      try {
        await api("POST", "/api/v1/admin/staff", body);
        toast(`已创建${LABELS.role[body.role]}账号：${body.name}`);
        form.reset();
      } catch (err) {
        toast(errorText(err), true);
      }
    });
    el.replaceChildren(form);
  }],
  // 实名认证 queue: the account holder's identity document beside the account's name and
  // ID number, oldest first (the decided tabs newest first); 通过 makes the account
  // verified, 不通过 needs the reason the account holder will read.
  [/^\/staff\/verifications$/, async (el) => {
    await signedIn("clerk", "admin");
    const wanted = new URLSearchParams(location.search).get("status");
    const status = VERIFICATION_TABS.some(([s]) => s === wanted) ? wanted : "pending";
    const tabs = h("div", { class: "counts verification-tabs", role: "tablist" }, VERIFICATION_TABS.map(([s, label]) =>
      h("a", { href: `/staff/verifications?status=${s}`, "data-nav": true, role: "tab", "aria-selected": String(s === status), class: s === status ? "count active" : "count" }, h("span", {}, label))));
    const body = h("tbody", {});
    const empty = h("p", { class: "empty" }, { pending: "没有待审核的实名认证申请。", approved: "没有已通过的实名认证。", rejected: "没有未通过的实名认证。" }[status]);
    const heads = status === "pending"
      ? ["提交时间", "已等待", "姓名", "身份", "身份证号", "手机号", "执业证号 / 律师事务所", "身份证件", "审核"]
      : ["提交时间", "审核时间", "姓名", "身份", "身份证号", "手机号", "执业证号 / 律师事务所", "身份证件", "审核结果"];
    const table = h("table", { class: `grid-table verifications verifications-${status}` },
      h("thead", {}, h("tr", {}, heads.map((t) => h("th", { scope: "col" }, t)))), body);
    const pages = pagedList("/api/v1/staff/verifications", verificationRow, { params: { status }, limit: PAGE, list: body, shell: table, empty });
    await pages.load();
    el.replaceChildren(h("h1", {}, "实名认证审核"),
      h("p", { class: "muted" }, "核对申请人上传的身份证件与账号的姓名、身份证号是否一致；通过后该账号方可查询案件和申请阅卷。不通过时请写明原因，申请人将看到并可重新提交。"),
      tabs, pages.element);
  }],
  // 工作日历: a year's 法定节假日 and 调休上班日, one date a line, as the State Council's
  // notice gives them; the review's time limits count working days by them.
  [/^\/staff\/admin\/holidays$/, async (el) => {
    await signedIn("admin");
    const params = new URLSearchParams(location.search);
    const thisYear = Number(fmtDate(new Date().toISOString()).slice(0, 4));
    const year = /^\d{4}$/.test(params.get("year") || "") ? Number(params.get("year")) : thisYear;
    const stored = await api("GET", `/api/v1/admin/holidays/${year}`);
    const yearInput = input("year", { type: "number", min: 2000, max: 2100, value: year, "aria-label": "年份" });
    const pick = h("form", { class: "inline-form list-tools" }, h("label", {}, "年份 ", yearInput), h("button", { type: "submit", class: "btn btn-default" }, "切换"));
    pick.addEventListener("submit", (e) => {
      e.preventDefault();
      router.go(`/staff/admin/holidays?year=${encodeURIComponent(yearInput.value)}`);
    });
    const holidays = h("textarea", { id: "holidays", rows: 10, placeholder: `${year}-10-01` }, stored.holidays.join("\n"));
    const workdays = h("textarea", { id: "workdays", rows: 4, placeholder: `${year}-10-10` }, stored.workdays.join("\n"));
    const lines = (box) => box.value.split(/[\s,，、]+/).map((v) => v.trim()).filter(Boolean);
    const note = h("div", { class: "form-note", role: "status", "aria-live": "polite" });
    const save = h("button", { type: "submit", class: "btn btn-primary", "data-action": "save-holidays" }, "保存");
    const form = h("form", { class: "holidays-form" },
      h("label", { for: "holidays" }, "法定节假日（每行一个日期，YYYY-MM-DD）"), holidays,
      h("label", { for: "workdays" }, "调休上班日（需上班的周六、周日）"), workdays, h("div", { class: "actions" }, save), note);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      whileBusy(save, async () => {
        try {
          const saved = await api("PUT", `/api/v1/admin/holidays/${year}`, { holidays: lines(holidays), workdays: lines(workdays) });
          note.replaceChildren(`已保存 ${saved.year} 年：法定节假日 ${saved.holidays.length} 天，调休上班日 ${saved.workdays.length} 天。`);
          toast("工作日历已保存");
        } catch (err) {
          note.replaceChildren(errorBox(err));
        }
      });
    });
    el.replaceChildren(h("h1", {}, "工作日历"),
      h("p", { class: "muted" }, "审查期限按工作日计算：周一至周五为工作日，法定节假日除外，调休上班的周末计入。未上传的年份按周一至周五计算。"),
      pick, h("p", {}, stored.uploaded ? `${year} 年已上传。` : `${year} 年尚未上传。`), form);
  }],
  [/^\/staff\/admin\/users$/, async (el) => {
    await signedIn("admin");
    const params = new URLSearchParams(location.search);
    const role = h("select", { name: "role", "aria-label": "身份" }, h("option", { value: "" }, "全部身份"),
      Object.entries(LABELS.role).map(([value, label]) => h("option", { value, selected: value === params.get("role") }, label)));
    const q = input("q", { type: "search", placeholder: "姓名或手机号", value: params.get("q") || "", "aria-label": "姓名或手机号" });
    const search = h("form", { class: "inline-form list-tools user-search", role: "search" }, role, q, h("button", { type: "submit", class: "btn btn-primary" }, "查询"));
    search.addEventListener("submit", (e) => {
      e.preventDefault();
      const next = new URLSearchParams();
      if (role.value) next.set("role", role.value);
      if (q.value.trim()) next.set("q", q.value.trim());
      router.go(`/staff/admin/users${next.toString() ? `?${next}` : ""}`);
    });
    const body = h("tbody", {});
    const table = h("table", { class: "grid-table users" },
      h("thead", {}, h("tr", {}, ["姓名", "身份", "手机号", "所属法院", "实名认证", "账号状态", "操作"].map((t) => h("th", { scope: "col" }, t)))), body);
    const empty = h("p", { class: "empty" }, "没有符合条件的账号。");
    const filters = { role: params.get("role"), q: params.get("q") };
    const pages = pagedList("/api/v1/admin/users", userRow, { params: filters, limit: PAGE, list: body, shell: table, empty });
    await pages.load();
    el.replaceChildren(h("h1", {}, "账号管理"),
      h("p", { class: "muted" }, "停用的账号立即退出所有登录，且不能再登录；启用后可重新登录。"),
      search, pages.element);
  }],
  [/^\/staff\/account$/, async (el) => {
    const user = await signedIn();
    el.replaceChildren(h("h1", {}, "我的"), h("div", { class: "form" }, accountSummary(user, null), changePasswordForm(), signOutBlock(() => {
      nav.replaceChildren();
      router.go("/staff/login");
    })));
  }],
  [/^\/staff\/login$/, async (el) => {
    renderNav(null);
    const next = safeNext(new URLSearchParams(location.search).get("next"), "/staff/");
    el.replaceChildren(loginForm({ heading: "法院工作人员登录", roles: STAFF, onDone: () => router.replace(next.startsWith("/staff/login") ? "/staff/" : next) }));
  }],
];

const router = createRouter(routes, root);
router.loginPath = "/staff/login";
window.addEventListener("unhandledrejection", (e) => toast(errorText(e.reason), true));
router.render().catch((err) => root.replaceChildren(errorBox(err)));
