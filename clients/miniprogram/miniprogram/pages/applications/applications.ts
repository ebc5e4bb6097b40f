// 阅卷申请: the reader's applications with 状态 (GET /api/v1/applications), a page at a
// time (加载更多 and at the bottom of the list), filtered by status; 申请 opens the form.

import { type Answer } from "../../api/client";
import type { Status } from "../../api/shapes";
import { api, tokens, toSignIn } from "../../api/index";
import { fmtDate } from "../../utils/format";
import { isCode, showError } from "../../utils/ui";
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

  onShow() {
    // back from 申请 or a detail whose status changed: read the list again
    if (!tokens.get()) return toSignIn();
    this.reload();
  },

  onPullDownRefresh() {
    this.reload().then(() => wx.stopPullDownRefresh());
  },

  onReachBottom() {
    if (this.data.cursor && !this.data.loading) this.more();
  },

  onFilter(e: WechatMiniprogram.PickerChange) {
    this.setData({ filterIndex: Number(e.detail.value) });
    this.reload();
  },

  reload() {
    this.setData({ items: [], cursor: null, loaded: false });
    return this.more();
  },

  async more() {
    this.setData({ loading: true });
    try {
      const page = await api().get("/api/v1/applications", {
        query: { status: FILTERS[this.data.filterIndex] || undefined, limit: 20, cursor: this.data.cursor || undefined },
      });
      this.setData({
        items: [...this.data.items, ...page.items.map(row)],
        cursor: page.next_cursor,
        loaded: true,
        needsVerification: false,
      });
    } catch (err) {
      if (isCode(err, "verification_required")) this.setData({ needsVerification: true, loaded: true });
      else showError(err);
    } finally {
      this.setData({ loading: false });
    }
  },

  apply() {
    wx.navigateTo({ url: "/pages/apply/apply" });
  },

  toVerify() {
    wx.navigateTo({ url: "/pages/verify/verify" });
  },
});
