// 手机阅卷: the menu after 公众服务. Signed out, it offers 登录 and 注册; signed in, it says
// where 实名认证 stands (case data waits for it) and leads to 阅卷申请 and 站内信.

import { api, currentUser, type Me, tokens } from "../../api/index";
import { verificationState } from "../../utils/account";
import { showError, toast } from "../../utils/ui";
import { LABELS } from "../../utils/words";

Page({
  data: {
    user: null as Me | null,
    roleLabel: "",
    verification: "none",
    verificationLabel: "",
    verificationReason: "",
  },

  onShow() {
    this.load();
  },

  async load() {
    try {
      const user = await currentUser();
      if (!user) {
        this.setData({ user: null });
        return;
      }
      const state = verificationState(user);
      this.setData({
        user,
        roleLabel: LABELS.role[user.role] || user.role,
        verification: state.status,
        verificationLabel: LABELS.verification[state.status],
        verificationReason: state.explanation || "",
      });
    } catch (err) {
      showError(err);
    }
  },

  signIn() {
    wx.navigateTo({ url: `/pages/login/login?next=${encodeURIComponent("/pages/reading/reading")}` });
  },

  signUp() {
    wx.navigateTo({ url: "/pages/signup/signup" });
  },

  openVerify() {
    wx.navigateTo({ url: "/pages/verify/verify" });
  },

  signOut() {
    return this.leave(false);
  },

  signOutEverywhere() {
    return this.leave(true);
  },

  // 退出登录 ends this sign-in; 退出所有设备 every sign-in of the account, this one included
  async leave(everywhere: boolean) {
    try {
      await api().post("/api/v1/auth/logout", everywhere ? { body: { everywhere: true } } : {});
    } catch {
      // the token is forgotten below in any case; a dead one is no loss
    }
    tokens.clear();
    this.setData({ user: null });
    if (everywhere) toast("已在所有设备上退出登录");
  },
});
