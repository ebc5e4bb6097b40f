// 站内信 (GET /api/v1/messages): opening one marks it read and, when it is about an
// application, opens that application.

import { type Answer } from "../../api/client";
import { api, toSignIn, tokens } from "../../api/index";
import { fmtTime } from "../../utils/format";
import { showError } from "../../utils/ui";

type Item = Answer<"/api/v1/messages", "get">["items"][number];
type Row = Item & { time: string };

Page({
  data: { items: [] as Row[], cursor: null as string | null, loading: false, loaded: false },

  onShow() {
    if (!tokens.get()) return toSignIn();
    this.reload();
  },

  onPullDownRefresh() {
    this.reload().then(() => wx.stopPullDownRefresh());
  },

  onReachBottom() {
    if (this.data.cursor && !this.data.loading) this.more();
  },

  reload() {
    this.setData({ items: [], cursor: null, loaded: false });
    return this.more();
  },

  async more() {
    this.setData({ loading: true });
    try {
      const page = await api().get("/api/v1/messages", { query: { limit: 20, cursor: this.data.cursor || undefined } });
      const rows = page.items.map((m) => ({ ...m, time: fmtTime(m.at) }));
      this.setData({ items: [...this.data.items, ...rows], cursor: page.next_cursor, loaded: true });
    } catch (err) {
      showError(err);
    } finally {
      this.setData({ loading: false });
    }
  },

  async open(e: WechatMiniprogram.TouchEvent) {
    const index = Number((e.currentTarget.dataset as { index: number }).index);
    const message = this.data.items[index];
    if (!message) return;
    if (!message.read) {
      this.setData({ [`items[${index}].read`]: true });
      api()
        .post("/api/v1/messages/{id}/read", { path: { id: String(message.id) } })
        .catch(() => null); // unread again next time at worst
    }
    if (message.application_id) wx.navigateTo({ url: `/pages/detail/detail?id=${encodeURIComponent(String(message.application_id))}` });
  },
});
