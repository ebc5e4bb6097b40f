// A fake of the few `wx` functions the API client uses (wx.request, wx.uploadFile,
// wx.downloadFile, wx.getFileSystemManager). WeChat itself is outside the tests; this
// records every call and answers with what a test queued, in the shapes WeChat gives.
"use strict";

function fakeWx() {
  const calls = [];
  const answers = [];
  const files = new Map();
  const answer = (options) => {
    const next = answers.shift();
    if (!next) throw new Error(`no answer queued for ${options.url}`);
    return next;
  };
  const settle = (options, next, success) => {
    if (next.fail) options.fail && options.fail({ errMsg: "request:fail" });
    else options.success && options.success(success(next));
  };
  const wx = {
    request(options) {
      calls.push({ api: "request", ...options });
      const next = answer(options);
      settle(options, next, (n) => ({ statusCode: n.status, data: n.data, header: {} }));
      return { abort() {} };
    },
    uploadFile(options) {
      calls.push({ api: "uploadFile", ...options });
      const next = answer(options);
      const listeners = [];
      const task = { onProgressUpdate: (fn) => listeners.push(fn), abort() {} };
      // WeChat reports progress after the call returns, then the answer
      setImmediate(() => {
        for (const p of next.progress || []) for (const fn of listeners) fn({ progress: p, totalBytesSent: p, totalBytesExpectedToSend: 100 });
        settle(options, next, (n) => ({ statusCode: n.status, data: typeof n.data === "string" ? n.data : JSON.stringify(n.data) }));
      });
      return task;
    },
    downloadFile(options) {
      calls.push({ api: "downloadFile", ...options });
      const next = answer(options);
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
  };
  return { wx, calls, queue: (...a) => answers.push(...a) };
}

function memoryTokens(initial = null) {
  let token = initial;
  return { get: () => token, set: (t) => (token = t), clear: () => (token = null) };
}

module.exports = { fakeWx, memoryTokens };
