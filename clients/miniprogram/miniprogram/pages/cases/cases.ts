// 我的案件 (GET /api/v1/my/cases): each case with 申请阅卷, and for a party 查阅记录 (who
// else read the case's dossier).

import { type Answer } from "../../api/client";
import { api, currentUser, toSignIn } from "../../api/index";
import { freshList, loadMore, PAGE_SIZE, verificationBanner } from "../../utils/paged";
import { LABELS } from "../../utils/words";

type Item = Answer<"/api/v1/my/cases", "get">["items"][number];

interface Row {
  case_no: string;
  facts: string;
  relationLabel: string;
  canApply: boolean;
  canSeeReads: boolean;
}

Page({
  data: {
    party: false,
    items: [] as Row[],
    cursor: null as string | null,
    loading: false,
    loaded: false,
    needsVerification: false,
    emptyText: "",
  },

  async onLoad() {
    const user = await currentUser().catch(() => null);
    if (!user) return toSignIn();
    const party = user.role === "party";
    this.setData({
      party,
      emptyText: party
        ? "暂无案件：以您本人身份登记为当事人的案件会列在这里；如有遗漏，请核对实名认证信息或联系法院。"
        : "暂无案件：您在案代理或案件绑定通过的案件会列在这里；审理中的案件请先申请案件绑定。",
    });
    await this.more();
  },

  onPullDownRefresh: freshList.onPullDownRefresh,
  reload: freshList.reload,

  more() {
    return loadMore(this, {
      fetch: (cursor) => api().get("/api/v1/my/cases", { query: { limit: PAGE_SIZE, cursor } }),
      row: (c: Item): Row => ({
        case_no: c.case_no,
        facts: [c.court, c.cause, LABELS.caseStatus[c.status] || c.status].filter(Boolean).join(" · "),
        relationLabel: LABELS.relation[c.relation] || c.relation,
        canApply: c.can_apply !== false,
        canSeeReads: this.data.party && c.relation === "party",
      }),
      refused: verificationBanner(this),
    });
  },

  apply(e: WechatMiniprogram.TouchEvent) {
    const caseNo = (e.currentTarget.dataset as { case: string }).case;
    wx.navigateTo({ url: `/pages/apply/apply?case_no=${encodeURIComponent(caseNo)}` });
  },

  reads(e: WechatMiniprogram.TouchEvent) {
    const caseNo = (e.currentTarget.dataset as { case: string }).case;
    wx.navigateTo({ url: `/pages/reads/reads?case_no=${encodeURIComponent(caseNo)}` });
  },

  toVerify() {
    wx.navigateTo({ url: "/pages/verify/verify" });
  },
});
