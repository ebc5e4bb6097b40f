// The manual's words for API values (shared UI.md "Words"), and a sentence a person
// understands for every error code, saying what to do next. The same words as the mobile
// web page's (gateway/static/common.js), so a reader who uses both reads one language:
// unit/words.test.js fails when they part, but for the few sentences said this client's
// way. A copy, not an import: the mini-program ships alone, and neither client has a build step.

import { ApiFailure } from "../api/client";
import type { Status } from "../api/shapes";

export const LABELS = {
  status: {
    pending: "待审查",
    approved: "通过",
    rejected: "不通过",
    returned: "退回补正",
    withdrawn: "已撤回",
    expired: "已过期",
    revoked: "已终止",
  } as Record<string, string>,
  opinion: { approve: "同意", reject: "不同意", return: "退回补正" } as Record<string, string>,
  mode: { online: "在线阅卷", onsite: "现场阅卷" } as Record<string, string>,
  caseStatus: { in_trial: "审理中", archived: "已归档" } as Record<string, string>,
  relation: { party: "当事人", lawyer_of_record: "代理律师", lawyer_bound: "已绑定律师", none: "无关联" } as Record<string, string>,
  kind: {
    license: "执业证",
    firm_letter: "律所介绍信或证明",
    authorization: "当事人授权委托书或法律援助公函",
    party_id: "当事人身份证明",
    identity: "本人身份证件",
    other: "其他材料",
  } as Record<string, string>,
  role: { party: "当事人", lawyer: "律师", clerk: "审查人", archivist: "档案室", admin: "管理员" } as Record<string, string>,
  verification: { none: "未认证", pending: "审核中", approved: "已认证", rejected: "未通过" } as Record<string, string>,
  access: {
    view_page: "查看",
    download_pdf: "打印（下载）",
    link_created: "复制链接",
    link_opened: "打开复制链接",
    link_revoked: "作废链接",
  } as Record<string, string>,
  binding: { pending: "待审查", approved: "已绑定", rejected: "不通过", revoked: "已撤销" } as Record<string, string>,
};

// The materials of a binding application (API.md "Cases and lawyer binding").
export const BINDING_KINDS = ["license", "authorization"];

export const STATUSES: readonly Status[] = ["pending", "approved", "rejected", "returned", "withdrawn", "expired", "revoked"];

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

// The four materials of every lawyer's application (API.md "Dossier-reading applications").
export const LAWYER_KINDS = ["license", "firm_letter", "authorization", "party_id"];

export const ERROR_TEXT: Record<string, string> = {
  bad_request: "提交的内容格式不正确，请检查后重试。",
  unauthenticated: "登录已失效，请重新登录。",
  invalid_credentials: "手机号或密码不正确，请重新输入。",
  forbidden: "您没有权限进行此操作。",
  not_approved: "该申请尚未通过在线阅卷审查，暂不能查看案卷。",
  print_not_allowed: "审查人未允许打印，本次阅卷仅限在线查看。",
  access_revoked: "您与本案的代理或当事人关系已终止，阅卷权限随之终止。",
  not_found: "未找到该记录：案号不存在，或您不是该案的当事人或代理律师。请核对后重试。",
  phone_taken: "该手机号已注册，请直接登录。",
  binding_required: "您尚未绑定该案件，请先申请案件绑定。",
  duplicate_pending: "该案件已有待审查的申请，请等待审查结果，无需重复提交。",
  invalid_state: "该申请当前的状态不允许此操作，请刷新查看最新状态。",
  access_expired: "已超过阅卷截止时间，无法查看卷宗，请重新申请阅卷。",
  too_large: "文件过大（不能超过20MB），请压缩或拆分后再上传。",
  unsupported_media_type: "只能上传 PDF、JPG 或 PNG 文件，请更换文件后重试。",
  rate_limited: "操作过于频繁（密码连续输错5次将锁定15分钟），请稍后再试。",
  internal_error: "系统繁忙，请稍后再试。",
  service_unavailable: "服务暂时不可用，请稍后再试。",
  validation_error: "填写的内容有误，请按提示修改。",
  invalid_phone: "手机号格式不正确，请输入11位手机号。",
  weak_password: "密码太简单：至少8位，并包含大写字母、小写字母、数字、符号中的两种。",
  invalid_id_number: "身份证号码不正确，请核对后重新输入。",
  license_not_verified: "执业证号、姓名与律师事务所和律师名册不一致，请核对后重新输入。",
  invalid_case_no: "案号格式不正确，请按“（2021）粤01民初1号”的格式输入。",
  invalid_kind: "材料类型不正确，请重新选择。",
  materials_missing: "申请材料不齐，请补充上传后再提交：",
  idempotency_key_reused: "重复提交的内容不一致，请返回后重试。",
  network: "网络连接失败，请检查网络后重试。",
  verification_required: "请先完成实名认证：完成实名认证后方可查询案件和申请阅卷。",
  account_disabled: "账号已停用，无法登录；如有疑问请联系法院。",
  invalid_sms_code: "验证码不正确或已过期，请重新获取验证码后再试。",
  id_number_taken: "该身份证号已注册账号，请直接登录。",
  license_taken: "该执业证号已注册账号，请直接登录。",
  already_verified: "您已完成实名认证，无需重复提交。",
  already_related: "您已是该案件的代理律师或已绑定，可直接申请阅卷。",
};

// Codes whose server message names the wrong part precisely: shown before the advice.
const SPECIFIC = new Set(["invalid_case_no", "validation_error", "weak_password"]);

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
