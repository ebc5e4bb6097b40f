// 阅卷申请: the reader's applications with 状态 (GET /api/v1/applications), a page at a
// time (加载更多 and at the bottom of the list), filtered by status; 申请 opens the form.

import { type Answer } from "../../api/client";
import type { Status } from "../../api/shapes";
import { api } from "../../api/index";
import { fmtDate } from "../../utils/format";
import { freshList, loadMore, moreAtBottom, PAGE_SIZE, verificationBanner } from "../../utils/paged";
import { LABELS, STATUSES, statusLabel, statusTone } from "../../utils/words";

type Item = Answer<"/api/v1/applications", "get">["items"][number];

interface Row {
  id: string;
  case_no: string;
  court: string;
  date: string;
  scope: string;
  label: string;
  tone: string;
}

function row(a: Item): Row {
  return {
    id: String(a.id),
    case_no: a.case_no,
    court: a.court,
    date: fmtDate(a.applied_at),
    scope: a.scope,
    label: statusLabel(a.status),
    tone: statusTone(a.status),
  };
}

const FILTERS: readonly (Status | "")[] = ["", ...STATUSES];

Page({
  data: {
    filterLabels: ["全部状态", ...STATUSES.map((s) => LABELS.status[s])],
    filterIndex: 0,
    items: [] as Row[],
    cursor: null as string | null,
    loading: false,
    loaded: false,
    needsVerification: false,
  },

  // onShow reads the list again: back from 申请, or from a detail whose status changed
  ...freshList,
  ...moreAtBottom,

  onFilter(e: WechatMiniprogram.PickerChange) {
    this.setData({ filterIndex: Number(e.detail.value) });
    this.reload();
  },

  more() {
    return loadMore(this, {
      fetch: (cursor) =>
        api().get("/api/v1/applications", { query: { status: FILTERS[this.data.filterIndex] || undefined, limit: PAGE_SIZE, cursor } }),
      row,
      withRows: { needsVerification: false },
      refused: verificationBanner(this),
    });
  },

  apply() {
    wx.navigateTo({ url: "/pages/apply/apply" });
  },

  toVerify() {
    wx.navigateTo({ url: "/pages/verify/verify" });
  },
});
