// 获取验证码 with its 60-second countdown (UI.md "Screens the additions bring"): the server
// sends one code a minute for a phone, so the button waits as long.

import { api } from "../api/index";
import { ApiFailure } from "../api/client";
import { maskPhone } from "./format";
import { isValidPhone } from "./validate";
import { ERROR_TEXT, errorText } from "./words";

export const COUNTDOWN_SECONDS = 60;

export interface CodeSender {
  /** Sends a code; resolves to the sentence to show under the field. */
  send(phone: string): Promise<{ ok: boolean; note: string }>;
  stop(): void;
}

/** `onTick(label, waiting)` redraws the button: "获取验证码", "重新获取（42s）", "重新获取验证码". */
export function codeSender(purpose: "register" | "reset_password", onTick: (label: string, waiting: boolean) => void): CodeSender {
  let timer: number | null = null;
  const stop = () => {
    if (timer !== null) clearInterval(timer);
    timer = null;
  };
  return {
    async send(phone) {
      const number = phone.trim();
      if (!isValidPhone(number)) return { ok: false, note: ERROR_TEXT.invalid_phone };
      try {
        await api().post("/api/v1/auth/sms-codes", { body: { phone: number, purpose } });
      } catch (err) {
        // 429 says how long to wait in the server's own words
        const note = err instanceof ApiFailure && err.code === "rate_limited" && err.message ? err.message : errorText(err);
        return { ok: false, note };
      }
      let left = COUNTDOWN_SECONDS;
      onTick(`重新获取（${left}s）`, true);
      stop();
      timer = setInterval(() => {
        left -= 1;
        if (left > 0) {
          onTick(`重新获取（${left}s）`, true);
          return;
        }
        stop();
        onTick("重新获取验证码", false);
      }, 1000) as unknown as number;
      return { ok: true, note: `验证码已发送至 ${maskPhone(number)}，10分钟内有效。` };
    },
    stop,
  };
}

/** The button's part of a page's data, as it starts. */
export const CODE_BUTTON = { codeLabel: "获取验证码", codeWaiting: false, codeNote: "", codeOk: false };

interface CodePage<D> {
  data: D & typeof CODE_BUTTON;
  setData(patch: Partial<typeof CODE_BUTTON>): void;
}

/**
 * 获取验证码 on a page (注册, 找回密码): the sender made on load and stopped on unload, and
 * the `sendCode` handler, the phone read from the page's data by `phoneOf`. Spread into Page().
 */
export function codeButton<D>(purpose: "register" | "reset_password", phoneOf: (data: D) => string) {
  let sender: CodeSender | null = null;
  return {
    onLoad(this: CodePage<D>) {
      sender = codeSender(purpose, (label, waiting) => this.setData({ codeLabel: label, codeWaiting: waiting }));
    },

    onUnload() {
      if (sender) sender.stop();
    },

    async sendCode(this: CodePage<D>) {
      if (!sender || this.data.codeWaiting) return;
      this.setData({ codeWaiting: true });
      const result = await sender.send(phoneOf(this.data));
      this.setData({ codeNote: result.note, codeOk: result.ok, codeWaiting: result.ok });
    },
  };
}
