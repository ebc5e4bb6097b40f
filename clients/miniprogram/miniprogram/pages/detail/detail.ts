// 申请详情: the four blocks (utils/detail.ts) and what the status allows: 查看案卷, 复制链接
// and 打印 on an online approval, 撤回申请 while pending, 重新申请 once it ended.
//
// 打印 is not done on the phone: the stamped PDF is for a printer, which a phone seldom
// has, so 打印 hands over to the PC the way the manual says (图7): a 复制链接 address,
// opened on the PC, leads to the web center's viewer and its 打印.

import { type Answer, intent } from "../../api/client";
import { api, toSignIn, tokens } from "../../api/index";
import { type DetailView, detailView } from "../../utils/detail";
import { fmtTime } from "../../utils/format";
import { loadMore, PAGE_SIZE } from "../../utils/paged";
import { type SlotDay, slotDays, slotWords } from "../../utils/slots";
import { showError, toast } from "../../utils/ui";
import { accessLine } from "../../utils/words";

type LogEntry = Answer<"/api/v1/applications/{application_id}/access-log", "get">["items"][number];

const withdrawal = intent();
const booking = intent();
const reapplication = intent();

Page({
  data: {
    id: "",
    view: null as DetailView | null,
    link: "",
    linkUntil: "",
    linking: false,
    busy: false,
    log: [] as Array<{ key: string; time: string; line: string }>,
    logCursor: null as string | null,
    logLoaded: false,
    logLoading: false,
    slotDays: [] as SlotDay[],
    slotsLoaded: false,
    slotsLoading: false,
    booking: false,
  },

  onLoad(query: Record<string, string | undefined>) {
    this.setData({ id: query.id || "" });
  },

  onShow() {
    if (!tokens.get()) return toSignIn();
    this.load();
  },

  onPullDownRefresh() {
    this.load().then(() => wx.stopPullDownRefresh());
  },

  async load() {
    try {
      const app = await api().get("/api/v1/applications/{application_id}", { path: { application_id: this.data.id } });
      this.setData({ view: detailView(app) });
    } catch (err) {
      showError(err);
    }
  },

  // 阅卷记录: read when asked (a reader who only wants 查看案卷 waits for nothing), newest first
  async moreLog() {
    if (this.data.logLoading) return;
    await loadMore(this, {
      fetch: (cursor) =>
        api().get("/api/v1/applications/{application_id}/access-log", { path: { application_id: this.data.id }, query: { limit: PAGE_SIZE, cursor } }),
      row: (entry: LogEntry, i) => ({ key: String(i), time: fmtTime(entry.at), line: accessLine(entry) }),
      keys: { items: "log", cursor: "logCursor", loading: "logLoading", loaded: "logLoaded" },
    });
  },

  async loadSlots() {
    this.setData({ slotsLoading: true });
    try {
      const slots = await api().get("/api/v1/applications/{application_id}/onsite-slots", { path: { application_id: this.data.id } });
      this.setData({ slotDays: slotDays(slots.items, slots.booking), slotsLoaded: true });
    } catch (err) {
      showError(err);
    } finally {
      this.setData({ slotsLoading: false });
    }
  },

  // A new booking replaces the old one (API.md "On-site reading room").
  async book(e: WechatMiniprogram.TouchEvent) {
    if (this.data.booking) return;
    const { date, start } = e.currentTarget.dataset as { date: string; start: string };
    const body = { date, start };
    this.setData({ booking: true });
    try {
      const booked = await api().post("/api/v1/applications/{application_id}/onsite-booking", {
        path: { application_id: this.data.id },
        body,
        idempotencyKey: booking.keyFor([this.data.id, body]),
      });
      booking.done();
      toast(`预约成功：${slotWords(booked)}`);
      await Promise.all([this.load(), this.loadSlots()]);
    } catch (err) {
      showError(err);
      await this.loadSlots(); // 名额已满 or a closed day: show the slots as they are now
    } finally {
      this.setData({ booking: false });
    }
  },

  viewDossier() {
    wx.navigateTo({ url: `/pages/viewer/viewer?id=${encodeURIComponent(this.data.id)}` });
  },

  async copyLink(): Promise<boolean> {
    if (this.data.linking) return false;
    this.setData({ linking: true });
    try {
      const link = await api().post("/api/v1/applications/{application_id}/dossier/links", { path: { application_id: this.data.id } });
      await new Promise<void>((resolve, reject) => wx.setClipboardData({ data: link.url, success: () => resolve(), fail: reject }));
      this.setData({ link: link.url, linkUntil: fmtTime(link.expires_at) });
      toast("已复制链接");
      return true;
    } catch (err) {
      showError(err);
      return false;
    } finally {
      this.setData({ linking: false });
    }
  },

  print() {
    wx.showModal({
      title: "请在电脑上打印",
      content: "手机上不能直接打印。点击“复制链接”，把链接发送到电脑（如微信文件传输助手），在电脑浏览器中打开并登录后，点击“打印”即可打印加盖水印的卷宗。",
      confirmText: "复制链接",
      cancelText: "取消",
      success: (res) => {
        if (res.confirm) this.copyLink();
      },
    });
  },

  openMaterial(e: WechatMiniprogram.TouchEvent) {
    const { id, name } = e.currentTarget.dataset as { id: string; name: string };
    wx.showLoading({ title: "正在打开" });
    api()
      .download("/api/v1/uploads/{material_id}", { material_id: id })
      .then((path) => {
        wx.hideLoading();
        if (/\.pdf$/i.test(name)) wx.openDocument({ filePath: path, fileType: "pdf" });
        else wx.previewImage({ urls: [path] });
      })
      .catch((err) => {
        wx.hideLoading();
        showError(err);
      });
  },

  withdraw() {
    wx.showModal({
      title: "撤回申请",
      content: "撤回后该申请不再审查；如仍需阅卷，可重新申请。确定撤回吗？",
      success: async (res) => {
        if (!res.confirm) return;
        await this.act("withdraw");
      },
    });
  },

  reapply() {
    this.act("reapply");
  },

  correct() {
    wx.navigateTo({ url: `/pages/correct/correct?id=${encodeURIComponent(this.data.id)}` });
  },

  async act(what: "withdraw" | "reapply") {
    if (this.data.busy) return;
    this.setData({ busy: true });
    const path = { application_id: this.data.id };
    try {
      if (what === "withdraw") {
        await api().post("/api/v1/applications/{application_id}/withdraw", { path, idempotencyKey: withdrawal.keyFor(path) });
        withdrawal.done();
        toast("申请已撤回");
        await this.load();
      } else {
        const fresh = await api().post("/api/v1/applications/{application_id}/reapply", { path, idempotencyKey: reapplication.keyFor(path) });
        reapplication.done();
        toast("已重新申请");
        wx.redirectTo({ url: `/pages/detail/detail?id=${encodeURIComponent(String(fresh.id))}` });
      }
    } catch (err) {
      showError(err);
    } finally {
      this.setData({ busy: false });
    }
  },
});
