// 站内信 (GET /api/v1/messages): opening one marks it read and, when it is about an
// application, opens that application.

import { type Answer } from "../../api/client";
import { api } from "../../api/index";
import { fmtTime } from "../../utils/format";
import { freshList, loadMore, moreAtBottom, PAGE_SIZE } from "../../utils/paged";

type Item = Answer<"/api/v1/messages", "get">["items"][number];
type Row = Item & { time: string };

Page({
  data: { items: [] as Row[], cursor: null as string | null, loading: false, loaded: false },

  ...freshList,
  ...moreAtBottom,

  more() {
    return loadMore(this, {
      fetch: (cursor) => api().get("/api/v1/messages", { query: { limit: PAGE_SIZE, cursor } }),
      row: (m: Item): Row => ({ ...m, time: fmtTime(m.at) }),
    });
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
