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
