// The `wx` APIs the mini-program's API layer uses, over real HTTP with node's fetch and
// FormData: wx.request, wx.uploadFile, wx.downloadFile, the file system manager that reads
// a downloaded file back, and wx storage (in memory, as one launch keeps it). This is what
// stands in for WeChat's client when the API layer runs against a real stack
// (tests/e2e/test_miniprogram_api.py); nothing of the mini-program itself is replaced.
//
// Each exchange is kept in `exchanges` (method, address, status, whether a bearer header
// went with it, the answer's body when it was JSON) so a test can say what went over the wire.
"use strict";

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const TIMEOUT_MS = Number(process.env.WX_TIMEOUT_MS || 60000); // wx.request's default timeout

function bodyOf(text, contentType) {
  if (!/json/.test(contentType || "")) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function headersOf(response) {
  const out = {};
  response.headers.forEach((value, key) => {
    out[key] = value;
  });
  return out;
}

function wxOverHttp({ envVersion = "develop" } = {}) {
  const exchanges = [];
  const storage = new Map();
  const downloads = fs.mkdtempSync(path.join(os.tmpdir(), "wx-downloads-"));
  let downloaded = 0;
  const redirects = [];

  function note(method, url, header, status, data) {
    const auth = (header && (header.Authorization || header.authorization)) || "";
    exchanges.push({ method, url, status, bearer: auth.startsWith("Bearer "), body: typeof data === "object" ? data : null });
  }

  function send(method, url, header, body) {
    return fetch(url, { method, headers: header || {}, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
  }

  // One exchange the way WeChat's APIs answer: `answer(response)` gives what `success` gets
  // (`res`, with `<api>:ok` added) and the body to note; a failure on the way is `fail` with
  // `<api>:fail <why>`; `complete` either way.
  function exchange(api, method, url, header, body, { success, fail, complete }, answer) {
    send(method, url, header, body)
      .then(async (response) => {
        const { res, data } = await answer(response);
        note(method, url, header, response.status, data);
        const ok = { ...res, errMsg: `${api}:ok` };
        if (success) success(ok);
        if (complete) complete(ok);
      })
      .catch((err) => {
        note(method, url, header, 0, null);
        const res = { errMsg: `${api}:fail ${err.message}` };
        if (fail) fail(res);
        if (complete) complete(res);
      });
  }

  const wx = {
    request({ url, method = "GET", header = {}, data, dataType = "json", ...callbacks }) {
      let body;
      if (data !== undefined && method !== "GET") {
        // wx.request sends an object as JSON when the content type says so (WeChat's rule)
        body = typeof data === "string" ? data : JSON.stringify(data);
      }
      exchange("request", method, url, header, body, callbacks, async (response) => {
        const text = await response.text();
        const parsed = dataType === "json" ? bodyOf(text, response.headers.get("content-type")) : text;
        return { res: { statusCode: response.status, data: parsed, header: headersOf(response) }, data: parsed };
      });
      return { abort() {} };
    },

    uploadFile({ url, filePath, name, formData = {}, header = {}, ...callbacks }) {
      const listeners = [];
      const form = new FormData();
      for (const [key, value] of Object.entries(formData)) form.append(key, String(value));
      const bytes = fs.readFileSync(filePath);
      const type = /\.pdf$/i.test(filePath) ? "application/pdf" : /\.png$/i.test(filePath) ? "image/png" : "image/jpeg";
      form.append(name, new Blob([bytes], { type }), path.basename(filePath));
      exchange("uploadFile", "POST", url, header, form, callbacks, async (response) => {
        // fetch does not tell how far a body got: the whole file is reported once it went
        for (const listener of listeners) {
          listener({ progress: 100, totalBytesSent: bytes.length, totalBytesExpectedToSend: bytes.length });
        }
        const text = await response.text();
        return { res: { statusCode: response.status, data: text }, data: bodyOf(text, response.headers.get("content-type")) };
      });
      return {
        onProgressUpdate(listener) {
          listeners.push(listener);
        },
        abort() {},
      };
    },

    downloadFile({ url, header = {}, ...callbacks }) {
      exchange("downloadFile", "GET", url, header, undefined, callbacks, async (response) => {
        const bytes = Buffer.from(await response.arrayBuffer());
        downloaded += 1;
        const tempFilePath = path.join(downloads, `tmp_${downloaded}`);
        fs.writeFileSync(tempFilePath, bytes);
        // like WeChat, a refusal's body is written to the temp file too
        return { res: { statusCode: response.status, tempFilePath }, data: null };
      });
      return { onProgressUpdate() {}, abort() {} };
    },

    getFileSystemManager() {
      return {
        readFileSync: (filePath, encoding) => fs.readFileSync(filePath, encoding),
      };
    },

    getStorageSync: (key) => (storage.has(key) ? storage.get(key) : ""),
    setStorageSync: (key, value) => {
      storage.set(key, value);
    },
    removeStorageSync: (key) => {
      storage.delete(key);
    },

    getAccountInfoSync: () => ({ miniProgram: { appId: "touristappid", envVersion, version: "" } }),

    // navigation is recorded, not performed: there are no pages here, only the API layer
    redirectTo(options) {
      redirects.push(options.url);
      if (options.success) options.success({ errMsg: "redirectTo:ok" });
      if (options.complete) options.complete({ errMsg: "redirectTo:ok" });
    },
  };

  return { wx, exchanges, redirects, storage };
}

module.exports = { wxOverHttp };
