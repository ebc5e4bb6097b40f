// The manual's words for API values (shared UI.md "Words"), and a sentence a person
// understands for every error code, saying what to do next. The words are the web pages'
// (gateway/static/common.js), so a reader who uses both reads one language: the
// mini-program ships alone, so `make client-types` copies them into court-words.ts, and
// only the few sentences said this client's way are written here.

import { ApiFailure } from "../api/client";
import type { Status } from "../api/shapes";
import * as court from "./court-words";

export const { LABELS, LAWYER_KINDS, BINDING_KINDS } = court;

export const STATUSES: readonly Status[] = court.STATUSES;

/** The colour of a status tag (UI.md "Everywhere"): 待审查 blue, 通过 green, 不通过 red, 退回补正 orange, the rest grey. */
export function statusTone(status: string): "blue" | "green" | "red" | "orange" | "grey" {
  switch (status) {
    case "pending":
      return "blue";
    case "approved":
      return "green";
    case "rejected":
      return "red";
    case "returned":
      return "orange";
    default:
      return "grey";
  }
}

/** A line of the 阅卷记录: "2022-05-18 10:02:11 金家慧余 查看《起诉状》第3页". */
export function accessLine(entry: {
  action: string;
  actor: string;
  document_title?: string | null;
  document_id?: number | string | null;
  page?: number | null;
}): string {
  const what = LABELS.access[entry.action] || entry.action;
  // a link made or revoked names no document: null, not a 文件null
  const doc = entry.document_title ? `《${entry.document_title}》` : entry.document_id != null ? `文件${String(entry.document_id)}` : "";
  const page = entry.page ? `第${entry.page}页` : "";
  return `${entry.actor} ${what}${doc}${page}`;
}

export function statusLabel(status: string): string {
  return LABELS.status[status] || status;
}

// The web pages' sentences but for these, said this client's way: no page to refresh
// (返回), no 找回密码 hint, and 实名认证 asked for more than 查看案件.
export const ERROR_TEXT: Record<string, string> = {
  ...court.ERROR_TEXT,
  forbidden: "您没有权限进行此操作。",
  method_not_allowed: "不支持该操作，请返回后重试。",
  idempotency_key_reused: "重复提交的内容不一致，请返回后重试。",
  verification_required: "请先完成实名认证：完成实名认证后方可查询案件和申请阅卷。",
  id_number_taken: "该身份证号已注册账号，请直接登录。",
  license_taken: "该执业证号已注册账号，请直接登录。",
};

const SPECIFIC = new Set(court.SPECIFIC);

export function errorText(err: unknown): string {
  if (!(err instanceof ApiFailure)) return ERROR_TEXT.network;
  let text = ERROR_TEXT[err.code] || err.message || ERROR_TEXT.internal_error;
  const missing = err.details.missing;
  if (err.code === "materials_missing" && Array.isArray(missing)) {
    text += missing.map((k) => LABELS.kind[String(k)] || String(k)).join("、");
  }
  if (SPECIFIC.has(err.code) && err.message && err.message !== text) text = `${err.message}。${text}`;
  const fields = err.details.fields;
  if (fields && typeof fields === "object") {
    const said = Object.values(fields as Record<string, unknown>).filter((v): v is string => typeof v === "string");
    if (said.length) text += ` ${said.join("；")}`;
  }
  return text;
}
