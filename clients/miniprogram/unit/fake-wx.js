// A fake of the `wx` functions the mini-program calls. WeChat itself is outside the
// tests; this records every call and answers the network ones with what a test set up,
// in the shapes WeChat gives (statusCode and data; uploadFile's data as text; downloadFile
// a temp file holding the body), and the rest (toasts, dialogs, navigation, clipboard,
// storage) as WeChat would when the person agrees.
"use strict";

function fakeWx({ envVersion = "develop" } = {}) {
  const calls = [];
  const answers = [];
  const routes = [];
  const files = new Map();
  const storage = new Map();
  const replies = { showModal: { confirm: true, cancel: false } };

  // an answer for this request: the first matching route ("GET /api/v1/me"), else the queue
  const answer = (method, url) => {
    const path = url.replace(/^[a-z]+:\/\/[^/]+/, "");
    const bare = path.split("?")[0];
    const route = routes.find((r) => r.method === method && (r.path instanceof RegExp ? r.path.test(path) : r.path === bare));
    const next = route ? route.answer : answers.shift();
    if (!next) throw new Error(`no answer set up for ${method} ${path}`);
    return typeof next === "function" ? next(path) : next;
  };
  const settle = (options, next, success) => {
    if (next.fail) options.fail && options.fail({ errMsg: "request:fail" });
    else options.success && options.success(success(next));
    options.complete && options.complete({});
  };
  const record = (api, options) => {
    calls.push({ api, ...(options || {}) });
    return options || {};
  };

  const wx = {
    request(options) {
      record("request", options);
      const next = answer(options.method || "GET", options.url);
      settle(options, next, (n) => ({ statusCode: n.status, data: n.data === undefined ? "" : n.data, header: {} }));
      return { abort() {} };
    },
    uploadFile(options) {
      record("uploadFile", options);
      const next = answer("POST", options.url);
      const listeners = [];
      // WeChat reports progress after the call returns, then the answer
      setImmediate(() => {
        for (const p of next.progress || []) for (const fn of listeners) fn({ progress: p, totalBytesSent: p, totalBytesExpectedToSend: 100 });
        settle(options, next, (n) => ({ statusCode: n.status, data: typeof n.data === "string" ? n.data : JSON.stringify(n.data) }));
      });
      return { onProgressUpdate: (fn) => listeners.push(fn), abort() {} };
    },
    downloadFile(options) {
      record("downloadFile", options);
      const next = answer("GET", options.url);
      const path = `wxfile://tmp/${calls.length}`;
      if (next.data !== undefined) files.set(path, typeof next.data === "string" ? next.data : JSON.stringify(next.data));
      settle(options, next, (n) => ({ statusCode: n.status, tempFilePath: path }));
      return { onProgressUpdate() {}, abort() {} };
    },
    getFileSystemManager() {
      return {
        readFileSync(path) {
          if (!files.has(path)) throw new Error("no such file");
          return files.get(path);
        },
      };
    },
    getStorageSync: (key) => (storage.has(key) ? storage.get(key) : ""),
    setStorageSync: (key, value) => storage.set(key, value),
    removeStorageSync: (key) => storage.delete(key),
    getAccountInfoSync: () => ({ miniProgram: { appId: "wx-test", envVersion, version: "" } }),
  };
  // everything else (showToast, showModal, navigateTo, setClipboardData, ...): recorded, then success
  const proxy = new Proxy(wx, {
    get(target, name) {
      if (name in target) return target[name];
      if (typeof name !== "string") return undefined;
      return (options) => {
        const o = record(name, options);
        const result = replies[name] || { errMsg: `${name}:ok` };
        if (o.success) o.success(result);
        if (o.complete) o.complete(result);
        return undefined;
      };
    },
  });
  return {
    wx: proxy,
    calls,
    storage,
    replies,
    queue: (...a) => answers.push(...a),
    /** `on("GET", "/api/v1/me", {status: 200, data})`; a RegExp path matches with the query. */
    on: (method, path, answer) => routes.unshift({ method, path, answer }),
    called: (api) => calls.filter((c) => c.api === api),
  };
}

function memoryTokens(initial = null) {
  let token = initial;
  return { get: () => token, set: (t) => (token = t), clear: () => (token = null) };
}

module.exports = { fakeWx, memoryTokens };
