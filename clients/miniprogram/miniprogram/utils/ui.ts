// Toasts and dialogs in plain Chinese (UI.md "/m/"), in one place so every page says a
// refusal the same way.

import { ApiFailure } from "../api/client";
import { errorText } from "./words";

/** A short confirmation ("已复制链接"). */
export function toast(title: string): void {
  wx.showToast({ title, icon: "none", duration: 2500 });
}

/** A refusal: a dialog, since the sentences say what to do next and outgrow a toast. 401 is left to the sign-in redirect. */
export function showError(err: unknown): void {
  if (err instanceof ApiFailure && err.status === 401) return;
  wx.showModal({ title: "提示", content: errorText(err), showCancel: false, confirmText: "知道了" });
}

export function isCode(err: unknown, ...codes: string[]): boolean {
  return err instanceof ApiFailure && codes.includes(err.code);
}
