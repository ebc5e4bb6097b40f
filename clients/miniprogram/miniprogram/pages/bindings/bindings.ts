// 案件绑定: a lawyer's binding applications (GET /api/v1/bindings) and 申请绑定.

import { type Answer } from "../../api/client";
import { api } from "../../api/index";
import { freshList, loadMore, PAGE_SIZE } from "../../utils/paged";
import { LABELS, statusTone } from "../../utils/words";

type Item = Answer<"/api/v1/bindings", "get">["items"][number];
type Row = Item & { label: string; tone: string };

// 已绑定 is good news (green), 已撤销 is over (grey): the application tones fit
const TONE_OF: Record<string, string> = { approved: "approved", rejected: "rejected", revoked: "expired", pending: "pending" };

Page({
  data: { items: [] as Row[], cursor: null as string | null, loading: false, loaded: false },

  ...freshList,

  more() {
    return loadMore(this, {
      fetch: (cursor) => api().get("/api/v1/bindings", { query: { limit: PAGE_SIZE, cursor } }),
      row: (b: Item): Row => ({
        ...b,
        label: LABELS.binding[b.status] || b.status,
        tone: statusTone(TONE_OF[b.status] || "pending"),
      }),
    });
  },

  bind() {
    wx.navigateTo({ url: "/pages/bind/bind" });
  },
});
