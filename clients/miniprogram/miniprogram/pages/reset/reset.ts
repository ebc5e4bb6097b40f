// 找回密码 (POST /api/v1/auth/password-reset): the server answers the same whether or not
// the phone has an account, so this page never says which.

import { api } from "../../api/index";
import { CODE_BUTTON, codeButton } from "../../utils/sms";
import { toast } from "../../utils/ui";
import { isValidPhone, isValidSmsCode, passwordProblem } from "../../utils/validate";
import { errorText } from "../../utils/words";

Page({
  data: {
    phone: "",
    sms_code: "",
    password: "",
    password_again: "",
    problem: "",
    busy: false,
    ...CODE_BUTTON,
  },

  ...codeButton("reset_password", (data: { phone: string }) => data.phone),

  onInput(e: WechatMiniprogram.Input) {
    const field = (e.currentTarget.dataset as { field: string }).field;
    this.setData({ [field]: e.detail.value, problem: "" });
  },

  async submit() {
    if (this.data.busy) return;
    const phone = this.data.phone.trim();
    const problem = !isValidPhone(phone)
      ? "手机号格式不正确，请输入11位手机号"
      : !isValidSmsCode(this.data.sms_code)
        ? "请先点击“获取验证码”，输入短信中的6位验证码"
        : passwordProblem(this.data.password) ||
          (this.data.password !== this.data.password_again ? "两次输入的新密码不一致，请重新输入" : null);
    if (problem) {
      this.setData({ problem });
      return;
    }
    this.setData({ busy: true });
    try {
      await api().post("/api/v1/auth/password-reset", {
        body: { phone, sms_code: this.data.sms_code.trim(), new_password: this.data.password },
      });
      toast("密码已重置，请使用新密码登录");
      wx.redirectTo({ url: `/pages/login/login?phone=${phone}` });
    } catch (err) {
      this.setData({ problem: errorText(err) });
    } finally {
      this.setData({ busy: false });
    }
  },
});
