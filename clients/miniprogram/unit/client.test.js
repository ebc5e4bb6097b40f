"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const load = require("./load");
const { fakeWx, memoryTokens } = require("./fake-wx");

const { Client, ApiFailure, intent, fillPath, queryString } = load("api/client.js");

function client(tokens = memoryTokens("tok-1"), extra = {}) {
  const fake = fakeWx();
  return { fake, tokens, api: new Client({ wx: fake.wx, baseUrl: "https://court.example/", tokens, ...extra }) };
}

test("a GET carries the bearer token and the query, against the configured base URL", async () => {
  const { fake, api } = client();
  fake.queue({ status: 200, data: { items: [], next_cursor: null } });
  const page = await api.get("/api/v1/applications", { query: { status: "approved", limit: 20, cursor: "" } });
  assert.deepEqual(page, { items: [], next_cursor: null });
  const call = fake.calls[0];
  assert.equal(call.method, "GET");
  assert.equal(call.url, "https://court.example/api/v1/applications?status=approved&limit=20");
  assert.equal(call.header.Authorization, "Bearer tok-1");
  assert.equal(call.data, undefined);
});

test("path parameters are filled and encoded", async () => {
  const { fake, api } = client();
  fake.queue({ status: 200, data: { id: 7 } });
  await api.get("/api/v1/applications/{application_id}", { path: { application_id: "7" } });
  assert.equal(fake.calls[0].url, "https://court.example/api/v1/applications/7");
  assert.equal(fillPath("/api/v1/my/cases/{case_no}/reads", { case_no: "（2021）粤01民初1号" }),
    "/api/v1/my/cases/%EF%BC%882021%EF%BC%89%E7%B2%A401%E6%B0%91%E5%88%9D1%E5%8F%B7/reads");
  assert.throws(() => fillPath("/api/v1/applications/{application_id}", {}), /application_id/);
  assert.equal(queryString({ a: null, b: undefined, c: "" }), "");
});

test("a POST sends JSON with the Idempotency-Key it was given", async () => {
  const { fake, api } = client();
  fake.queue({ status: 201, data: { id: 3, status: "pending" } });
  const body = { case_no: "（2021）粤01民初1号", scope: "全案卷宗", reason: "诉讼需要", material_ids: [1] };
  const app = await api.post("/api/v1/applications", { body, idempotencyKey: "k-1" });
  assert.equal(app.id, 3);
  assert.equal(fake.calls[0].method, "POST");
  assert.deepEqual(fake.calls[0].data, body);
  assert.equal(fake.calls[0].header["Content-Type"], "application/json");
  assert.equal(fake.calls[0].header["Idempotency-Key"], "k-1");
});

test("a refusal becomes an ApiFailure with the contract's code, message and details", async () => {
  const { fake, api } = client();
  fake.queue({ status: 422, data: { error: { code: "materials_missing", message: "申请材料不齐", details: { missing: ["license"] } } } });
  await assert.rejects(api.post("/api/v1/applications", { body: {} }), (err) => {
    assert.ok(err instanceof ApiFailure);
    assert.equal(err.status, 422);
    assert.equal(err.code, "materials_missing");
    assert.deepEqual(err.details, { missing: ["license"] });
    return true;
  });
});

test("no answer is `network`; an answer without the error shape still has a code", async () => {
  const { fake, api } = client();
  fake.queue({ fail: true }, { status: 502, data: "<html>bad gateway</html>" });
  await assert.rejects(api.get("/api/v1/me"), (err) => err.code === "network" && err.status === 0);
  await assert.rejects(api.get("/api/v1/me"), (err) => err.code === "internal_error" && err.status === 502);
});

test("a 401 forgets the token and asks the app to sign in again", async () => {
  let asked = 0;
  const tokens = memoryTokens("dead");
  const { fake, api } = client(tokens, { onUnauthenticated: () => (asked += 1) });
  fake.queue({ status: 401, data: { error: { code: "unauthenticated", message: "请先登录" } } });
  await assert.rejects(api.get("/api/v1/me"), (err) => err.code === "unauthenticated");
  assert.equal(tokens.get(), null);
  assert.equal(asked, 1);
  assert.equal(api.signedIn, false);
});

test("a 204 answers null", async () => {
  const { fake, api } = client();
  fake.queue({ status: 204, data: "" });
  assert.equal(await api.post("/api/v1/messages/{id}/read", { path: { id: "5" } }), null);
});

test("signed out, no Authorization header is sent", async () => {
  const { fake, api } = client(memoryTokens(null));
  fake.queue({ status: 200, data: { token: "t", expires_at: "x", user: { role: "party" } } });
  await api.post("/api/v1/auth/login", { body: { phone: "13800000000", password: "pw" } });
  assert.equal(fake.calls[0].header.Authorization, undefined);
});

test("an upload is multipart `file` with its kind, the bearer header and progress", async () => {
  const { fake, api } = client();
  fake.queue({ status: 201, data: { id: 11, kind: "license", filename: "执业证.pdf" }, progress: [30, 100] });
  const seen = [];
  const material = await api.upload("wxfile://tmp/a.pdf", "license", (p) => seen.push(p));
  assert.deepEqual(material, { id: 11, kind: "license", filename: "执业证.pdf" });
  const call = fake.calls[0];
  assert.equal(call.api, "uploadFile");
  assert.equal(call.url, "https://court.example/api/v1/uploads");
  assert.equal(call.name, "file");
  assert.deepEqual(call.formData, { kind: "license" });
  assert.equal(call.header.Authorization, "Bearer tok-1");
  assert.deepEqual(seen, [30, 100]);
});

test("a refused upload says why (415 from the body WeChat hands back as text)", async () => {
  const { fake, api } = client();
  fake.queue({ status: 415, data: { error: { code: "unsupported_media_type", message: "只能上传 PDF、JPEG 或 PNG" } } });
  await assert.rejects(api.upload("wxfile://tmp/a.doc", "other"), (err) => err.code === "unsupported_media_type");
});

test("a page is downloaded with the bearer header into a temp file", async () => {
  const { fake, api } = client();
  fake.queue({ status: 200 });
  const path = await api.download("/api/v1/applications/{application_id}/dossier/documents/{document_id}/pages/{page}",
    { application_id: 4, document_id: 9, page: 2 });
  assert.match(path, /^wxfile:\/\/tmp\//);
  const call = fake.calls[0];
  assert.equal(call.api, "downloadFile");
  assert.equal(call.url, "https://court.example/api/v1/applications/4/dossier/documents/9/pages/2");
  assert.equal(call.header.Authorization, "Bearer tok-1");
});

test("a refused download reads the refusal back from the temp file", async () => {
  const { fake, api } = client();
  fake.queue({ status: 410, data: { error: { code: "access_expired", message: "已过期" } } });
  await assert.rejects(api.download("/api/v1/applications/{application_id}/dossier/documents/{document_id}/pages/{page}",
    { application_id: 4, document_id: 9, page: 1 }), (err) => err.code === "access_expired" && err.status === 410);
});

test("an intent keeps its key for retries of the same request, and makes a new one after", () => {
  let n = 0;
  const submission = intent(() => `key-${++n}`);
  const body = { case_no: "x" };
  assert.equal(submission.keyFor(body), "key-1");
  assert.equal(submission.keyFor({ case_no: "x" }), "key-1"); // a retry
  assert.equal(submission.keyFor({ case_no: "y" }), "key-2"); // the person changed the form
  submission.done();
  assert.equal(submission.keyFor({ case_no: "y" }), "key-3"); // a new submission
});

test("the gateway's address is configuration: one per version of the mini-program", () => {
  const { baseUrlFor, BASE_URLS } = load("config.js");
  assert.equal(baseUrlFor("develop"), BASE_URLS.develop);
  assert.equal(baseUrlFor("trial"), BASE_URLS.trial);
  assert.equal(baseUrlFor("release"), BASE_URLS.release);
  assert.equal(baseUrlFor("something-new"), BASE_URLS.release);
  for (const version of ["trial", "release"]) assert.match(BASE_URLS[version], /^https:\/\//, "WeChat allows only HTTPS request domains");
});
