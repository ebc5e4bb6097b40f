// The detail page's four blocks (UI.md, the manual's 图13/图14) as plain data for WXML:
// 申请信息, 审查信息, 申请材料, 阅卷材料, and the buttons the answer's `actions` offer (the
// server's rule, not retyped here). Kept apart from the page so it is unit-tested without WeChat.

import type { Answer } from "../api/client";
import { fmtDate, fmtTime } from "./format";
import { slotWords } from "./slots";
import { LABELS, statusLabel, statusTone } from "./words";

export type ApplicationAnswer = Answer<"/api/v1/applications/{application_id}", "get">;

export interface Row {
  label: string;
  value: string;
}

export interface DetailView {
  id: string;
  status: string;
  statusLabel: string;
  tone: string;
  /** 已终止: why (代理关系已终止). */
  revokedReason: string | null;
  /** 退回补正: the clerk's explanation. */
  returnExplanation: string | null;
  info: Row[];
  review: Row[] | null;
  materials: Array<{ kind: string; label: string; items: Array<{ id: string; filename: string }> }>;
  reading: {
    kind: "online" | "onsite" | "ended" | "none";
    rows: Row[];
    note: string;
    notice: string | null;
    canView: boolean;
    canCopy: boolean;
    /** 打印 is on the PC: the mini-program says so and copies the link. */
    canPrint: boolean;
    /** 预约到场时间: an on-site approval books a slot of the reading room. */
    canBook: boolean;
  };
  /** 补正 after 退回补正 (amend, then resubmit); 重新申请 resubmits as it was. */
  actions: { withdraw: boolean; reapply: boolean; correct: boolean };
}

type Action = ApplicationAnswer["actions"][number];

/** What the applicant may do now: the answer's `actions` (the applications service's rule). */
export function allows(app: Pick<ApplicationAnswer, "actions">, action: Action): boolean {
  return (app.actions || []).includes(action);
}

const dash = (v: string | null | undefined) => (v === null || v === undefined || v === "" ? "—" : String(v));

/** What an online grant covers, as the reader reads it ("部分卷宗：起诉状、答辩状"). */
export function grantScope(reading: { print?: boolean; document_titles?: string[] | null }): string {
  const scope = reading.document_titles && reading.document_titles.length ? `部分卷宗：${reading.document_titles.join("、")}` : "全部正卷";
  return reading.print === false ? `${scope}（仅限在线查看，不可打印）` : scope;
}

function readingBlock(app: ApplicationAnswer): DetailView["reading"] {
  const reading = app.reading;
  const none = { rows: [], notice: null, canView: false, canCopy: false, canPrint: false, canBook: false };
  if (reading && reading.mode === "online") {
    if (app.status === "approved") {
      const printable = reading.print !== false;
      return {
        ...none,
        kind: "online",
        rows: [
          { label: "有效截止日期", value: dash(reading.valid_until) },
          { label: "阅卷范围", value: grantScope(reading) },
        ],
        note: `有效截止日期 ${reading.valid_until}，逾期需重新申请。${printable ? "打印请点击“复制链接”，在电脑上打开后打印。" : "本次阅卷仅限在线查看，不可打印。"}`,
        canView: allows(app, "view_dossier"),
        canCopy: allows(app, "copy_link"),
        canPrint: allows(app, "print"),
      };
    }
    const why = app.status === "revoked" ? "阅卷已终止，无法查看卷宗。" : "已超过阅卷截止时间，无法查看卷宗，请重新申请阅卷。";
    return { ...none, kind: "ended", rows: [{ label: "有效截止日期", value: dash(reading.valid_until) }], note: why };
  }
  if (reading && reading.mode === "onsite") {
    const booking = reading.booking;
    return {
      ...none,
      kind: "onsite",
      canBook: allows(app, "book_onsite"),
      notice: reading.notice || "现场阅卷需要带齐相关证明材料。",
      rows: [
        { label: "起始时间", value: dash(reading.start_date) },
        { label: "截止时间", value: dash(reading.end_date) },
        { label: "预约到场时间", value: booking ? slotWords(booking) : "未预约" },
        { label: "是否到场", value: reading.attended === true ? "是" : reading.attended === false ? "否" : "未登记" },
        { label: "借阅时间", value: reading.borrowed_at ? fmtTime(reading.borrowed_at) : "—" },
        { label: "还卷时间", value: reading.returned_at ? fmtTime(reading.returned_at) : "—" },
      ],
      note: "请按照指定时间到现场阅卷；超过截止时间还未阅卷，需要重新申请阅卷。",
    };
  }
  return { ...none, kind: "none", note: app.status === "pending" ? "审查通过后在此查看阅卷截止时间与卷宗。" : "无" };
}

export function detailView(app: ApplicationAnswer): DetailView {
  const review = app.review;
  const groups = new Map<string, Array<{ id: string; filename: string }>>();
  for (const m of app.materials || []) {
    const items = groups.get(m.kind) || [];
    items.push({ id: String(m.id), filename: m.filename });
    groups.set(m.kind, items);
  }
  return {
    id: String(app.id),
    status: app.status,
    statusLabel: statusLabel(app.status),
    tone: statusTone(app.status),
    revokedReason: app.status === "revoked" && app.revocation ? app.revocation.reason : null,
    returnExplanation: app.status === "returned" ? (review && review.explanation) || "请按要求补正后重新提交。" : null,
    info: [
      { label: "案号", value: dash(app.case_no) },
      { label: "承办法院", value: dash(app.court) },
      { label: "申请人", value: dash(app.applicant && app.applicant.name) },
      { label: "申请日期", value: fmtDate(app.applied_at) },
      { label: "申请内容", value: dash(app.scope) },
      { label: "申请原因", value: dash(app.reason) },
    ],
    review: review
      ? [
          { label: "审查人", value: dash(review.reviewer) },
          { label: "审查日期", value: fmtDate(review.reviewed_at) },
          { label: "审查意见", value: LABELS.opinion[review.opinion] || review.opinion },
          { label: "审查意见说明", value: dash(review.explanation) },
          { label: "阅卷方式", value: review.mode ? LABELS.mode[review.mode] : "—" },
        ]
      : null,
    materials: [...groups].map(([kind, items]) => ({ kind, label: LABELS.kind[kind] || kind, items })),
    reading: readingBlock(app),
    actions: { withdraw: allows(app, "withdraw"), reapply: allows(app, "reapply"), correct: allows(app, "correct") },
  };
}
