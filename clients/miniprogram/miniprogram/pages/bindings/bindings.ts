// 案件绑定: a lawyer's binding applications (GET /api/v1/bindings) and 申请绑定.

import { type Answer } from "../../api/client";
import { api, toSignIn, tokens } from "../../api/index";
import { showError } from "../../utils/ui";
import { LABELS, statusTone } from "../../utils/words";

type Item = Answer<"/api/v1/bindings", "get">["items"][number];
type Row = Item & { label: string; tone: string };

// 已绑定 is good news (green), 已撤销 is over (grey): the application tones fit
const TONE_OF: Record<string, string> = { approved: "approved", rejected: "rejected", revoked: "expired", pending: "pending" };

Page({
  data: { items: [] as Row[], cursor: null as string | null, loading: false, loaded: false },

  onShow() {
    if (!tokens.get()) return toSignIn();
    this.reload();
  },

  onPullDownRefresh() {
    this.reload().then(() => wx.stopPullDownRefresh());
  },

  reload() {
    this.setData({ items: [], cursor: null, loaded: false });
    return this.more();
  },

  async more() {
    this.setData({ loading: true });
    try {
      const page = await api().get("/api/v1/bindings", { query: { limit: 20, cursor: this.data.cursor || undefined } });
      const rows = page.items.map((b) => ({
        ...b,
        label: LABELS.binding[b.status] || b.status,
        tone: statusTone(TONE_OF[b.status] || "pending"),
      }));
      this.setData({ items: [...this.data.items, ...rows], cursor: page.next_cursor, loaded: true });
    } catch (err) {
      showError(err);
    } finally {
      this.setData({ loading: false });
    }
  },

  bind() {
    wx.navigateTo({ url: "/pages/bind/bind" });
  },
});
