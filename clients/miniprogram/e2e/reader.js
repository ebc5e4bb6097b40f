// A reader's way through 手机阅卷 on the mini-program's own API layer (api/index.ts and
// api/client.ts as tsc compiled them, with the pages' helpers from utils/), against a real
// gateway, with `wx` over real HTTP (wx-http.js). Run by tests/e2e/test_miniprogram_api.py:
//
//   MINIPROGRAM_BUILD=<tsc output> BASE_URL=http://127.0.0.1:<port> READER=<json> node reader.js
//
// It prints one JSON line per step ({"step": ..., ...}); where the court or the reader's
// phone has to do something it prints {"ask": ...} and reads the answer as one JSON line on
// stdin (the texted code; "approved" once staff decided). The test asserts on the lines.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const readline = require("node:readline");
const { wxOverHttp } = require("./wx-http");

const BUILD = process.env.MINIPROGRAM_BUILD;
const BASE_URL = process.env.BASE_URL;
const READER = JSON.parse(process.env.READER || "{}");
const DEADLINE_MS = Number(process.env.FLOW_DEADLINE_MS || 150000);

const load = (name) => require(path.join(BUILD, "miniprogram", name));

function emit(line) {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

// -- the other side: answers on stdin, one JSON line per question --------------------------
const answers = [];
const waiting = [];
readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const answer = JSON.parse(line);
  if (waiting.length) waiting.shift()(answer);
  else answers.push(answer);
});

function ask(what, details = {}) {
  emit({ ask: what, ...details });
  return answers.length ? Promise.resolve(answers.shift()) : new Promise((resolve) => waiting.push(resolve));
}

// -- WeChat's surface over HTTP; the app configured for this gateway ------------------------
const { wx, exchanges, redirects } = wxOverHttp({ envVersion: "develop" });
global.wx = wx;
// the page the reader is on, as WeChat's page stack has it: toSignIn() reads it on a 401
let here = { route: "pages/reading/reading", options: {} };
global.getCurrentPages = () => [here];
function on(route, options = {}) {
  here = { route, options };
}
load("config").BASE_URLS.develop = BASE_URL;

const { api, tokens, currentUser } = load("api/index");
const { ApiFailure, intent } = load("api/client");
const { LABELS, statusLabel, statusTone, errorText } = load("utils/words");
const { signUpProblems, checkCaseNo } = load("utils/validate");
const { detailView } = load("utils/detail");

const PAGE_ROUTE = "/api/v1/applications/{application_id}/dossier/documents/{document_id}/pages/{page}";

/** A refusal as the pages see it, and the body that came over the wire with it. */
async function refusal(promise) {
  try {
    await promise;
  } catch (err) {
    if (!(err instanceof ApiFailure)) throw err;
    const last = exchanges[exchanges.length - 1];
    return { status: err.status, code: err.code, message: err.message, words: errorText(err), wire: last.body };
  }
  throw new Error("the call was not refused");
}

// A read answered 503 service_unavailable (a service did not answer the gateway in time, as
// on a busy machine) is asked once more, as a reader pulls to refresh; each such retry is
// reported at the end, so the test can say it happened.
const retried = [];
async function read(call, what) {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof ApiFailure) || err.code !== "service_unavailable") throw err;
    retried.push(what);
    return call();
  }
}

async function eventually(fetch, done, seconds = 20) {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const value = await fetch();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function flow() {
  // Not signed in: GET /me is refused in the contract's shape and the app goes to 登录.
  const anonymous = await refusal(api().get("/api/v1/me"));
  emit({ step: "anonymous", ...anonymous, redirects: [...redirects], token: tokens.get() });

  on("pages/signup/signup");
  // 注册: 获取验证码, the form checked by the client's rules, then the server's.
  const sent = await api().post("/api/v1/auth/sms-codes", { body: { phone: READER.phone, purpose: "register" } });
  emit({ step: "sms_code_sent", answer: sent });
  const { code } = await ask("sms_code", { phone: READER.phone });
  const form = {
    role: "party",
    name: READER.name,
    id_number: READER.id_number,
    phone: READER.phone,
    password: READER.password,
    password_again: READER.password,
    sms_code: code,
    license_no: "",
    law_firm: "",
  };
  const problems = signUpProblems(form);
  const registered = await api().post("/api/v1/auth/register", {
    body: {
      role: form.role,
      name: form.name,
      id_number: form.id_number,
      phone: form.phone,
      password: form.password,
      sms_code: form.sms_code,
    },
  });
  emit({ step: "registered", problems, user: registered });

  on("pages/login/login");
  // 登录: the bearer token goes into wx storage; GET /me carries it from then on.
  const wrong = await refusal(api().post("/api/v1/auth/login", { body: { phone: READER.phone, password: `${READER.password}x` } }));
  const session = await api().post("/api/v1/auth/login", { body: { phone: READER.phone, password: READER.password } });
  tokens.set(session.token);
  const me = await currentUser();
  emit({
    step: "signed_in",
    wrong,
    user: me,
    verification: LABELS.verification[(me.verification && me.verification.status) || "none"],
    bearer: exchanges[exchanges.length - 1].bearer,
  });

  on("pages/verify/verify");
  // 实名认证: the identity document through wx.uploadFile, then the request, once per key.
  const progress = [];
  const identity = await api().upload(READER.identity_file, "identity", (p) => progress.push(p));
  const verifying = intent();
  const body = { material_ids: [identity.id] };
  const verification = await api().post("/api/v1/me/verification", { body, idempotencyKey: verifying.keyFor(body) });
  verifying.done();
  const pending = await currentUser();
  emit({
    step: "verification_requested",
    material: identity,
    progress,
    verification,
    state: LABELS.verification[pending.verification.status],
  });
  await ask("verification", { id: verification.id });
  const verified = await read(currentUser, "GET /me after 实名认证");
  emit({ step: "verified", verified: verified.verified, state: LABELS.verification[verified.verification.status] });

  on("pages/apply/apply");
  // 申请: the typed 案号 checked and looked up, a material through wx.uploadFile, then 申请.
  const typed = checkCaseNo(READER.case_no_typed);
  const found = await api().get("/api/v1/cases/lookup", { query: { case_no: typed.canonical } });
  const mine = await api().get("/api/v1/my/cases", { query: { limit: 100 } });
  // a case that is not the reader's answers exactly like one that does not exist
  const other = checkCaseNo(READER.other_case_no);
  const notMine = await refusal(api().get("/api/v1/cases/lookup", { query: { case_no: other.canonical } }));
  emit({
    step: "case_lookup",
    typed,
    found,
    status: LABELS.caseStatus[found.status],
    relation: LABELS.relation[found.relation],
    my_cases: mine.items.map((c) => c.case_no),
    not_mine: notMine,
  });
  const materialProgress = [];
  const material = await api().upload(READER.material_file, "other", (p) => materialProgress.push(p));
  const submission = intent();
  const application = {
    case_no: found.case_no,
    scope: "全案卷宗",
    reason: "诉讼需要，查阅本案卷宗",
    material_ids: [material.id],
  };
  const key = submission.keyFor(application);
  const created = await api().post("/api/v1/applications", { body: application, idempotencyKey: key });
  // the answer lost and the tap repeated: the same key, the same application
  const repeated = await api().post("/api/v1/applications", { body: application, idempotencyKey: submission.keyFor(application) });
  submission.done();
  emit({ step: "applied", material, progress: materialProgress, created, repeated_id: repeated.id });

  on("pages/applications/applications");
  // 阅卷申请: the list with 状态, filtered; 申请详情.
  const list = await api().get("/api/v1/applications", { query: { limit: 20 } });
  const filtered = await api().get("/api/v1/applications", { query: { status: "approved", limit: 20 } });
  emit({
    step: "listed",
    items: list.items.map((a) => ({ id: a.id, status: a.status, label: statusLabel(a.status), tone: statusTone(a.status) })),
    approved: filtered.items.map((a) => a.id),
    next_cursor: list.next_cursor,
  });
  on("pages/detail/detail", { id: String(created.id) });
  const detail = detailView(await api().get("/api/v1/applications/{application_id}", { path: { application_id: String(created.id) } }));
  emit({ step: "detail", detail });

  // The clerk approves; the detail shows it once review's decision reached applications.
  await ask("approval", { application_id: created.id });
  const approved = await eventually(
    () => read(() => api().get("/api/v1/applications/{application_id}", { path: { application_id: String(created.id) } }), "GET the detail after approval"),
    (a) => a.status === "approved",
  );
  emit({ step: "approved", detail: detailView(approved) });

  on("pages/viewer/viewer", { id: String(created.id) });
  // 查看案卷: the structure, then a page through wx.downloadFile with the bearer header.
  const id = String(created.id);
  const dossier = await api().get("/api/v1/applications/{application_id}/dossier", { path: { application_id: id } });
  const doc = dossier.volumes[0].documents[0];
  const pagePath = await api().download(PAGE_ROUTE, { application_id: id, document_id: String(doc.id), page: "1" });
  const pageExchange = exchanges[exchanges.length - 1];
  const head = fs.readFileSync(pagePath).subarray(0, 8).toString("hex");
  const beyond = await refusal(api().download(PAGE_ROUTE, { application_id: id, document_id: String(doc.id), page: String(doc.page_count + 1) }));
  emit({
    step: "page",
    dossier,
    head,
    bytes: fs.statSync(pagePath).size,
    bearer: pageExchange.bearer,
    status: pageExchange.status,
    beyond: { status: beyond.status, code: beyond.code, message: beyond.message },
  });

  on("pages/detail/detail", { id: String(created.id) });
  // 复制链接: the link the reader sends to a PC.
  const link = await api().post("/api/v1/applications/{application_id}/dossier/links", { path: { application_id: id } });
  emit({ step: "link", link });

  on("pages/messages/messages");
  // 站内信: the decision's message; opening it marks it read.
  const inbox = await eventually(
    () => read(() => api().get("/api/v1/messages", { query: { limit: 20 } }), "GET /messages"),
    (page) => page.items.some((m) => String(m.application_id) === id),
  );
  const message = inbox.items.find((m) => String(m.application_id) === id);
  const marked = message ? await api().post("/api/v1/messages/{id}/read", { path: { id: String(message.id) } }) : undefined;
  const after = await api().get("/api/v1/messages", { query: { limit: 20 } });
  emit({
    step: "messages",
    message,
    marked: marked === undefined ? "not sent" : marked,
    read_after: message ? after.items.find((m) => m.id === message.id).read : null,
  });

  on("pages/reading/reading");
  // 退出登录: the token is dead; the next call is refused, forgotten, and leads to 登录.
  await api().post("/api/v1/auth/logout");
  on("pages/applications/applications");
  const stale = await refusal(api().get("/api/v1/applications", { query: { limit: 1 } }));
  emit({ step: "signed_out", ...stale, token: tokens.get(), redirects: [...redirects] });
}

const timer = setTimeout(() => {
  emit({ step: "failed", error: `the flow took longer than ${DEADLINE_MS} ms` });
  process.exit(2);
}, DEADLINE_MS);

flow()
  .then(() => {
    emit({ step: "done", exchanges: exchanges.length, retried });
    clearTimeout(timer);
    process.exit(0);
  })
  .catch((err) => {
    const failure = err instanceof ApiFailure ? { status: err.status, code: err.code, details: err.details } : {};
    emit({ step: "failed", error: String((err && err.stack) || err), ...failure, last: exchanges.slice(-3) });
    process.exit(1);
  });
