// 注册: the texted code proves the phone (POST /api/v1/auth/sms-codes, purpose register),
// then POST /api/v1/auth/register and sign-in; 实名认证 comes next.

import { api, tokens } from "../../api/index";
import { firstProblem, type Problems, type SignUp, signUpProblems } from "../../utils/validate";
import { CODE_BUTTON, codeButton } from "../../utils/sms";
import { errorText } from "../../utils/words";

const EMPTY: SignUp = {
  role: "party",
  name: "",
  id_number: "",
  phone: "",
  sms_code: "",
  password: "",
  password_again: "",
  license_no: "",
  law_firm: "",
};

Page({
  data: {
    form: { ...EMPTY },
    problems: {} as Problems,
    problem: "",
    busy: false,
    ...CODE_BUTTON,
  },

  ...codeButton("register", (data: { form: SignUp }) => data.form.phone),

  onRole(e: WechatMiniprogram.RadioGroupChange) {
    this.setData({ "form.role": e.detail.value });
  },

  onInput(e: WechatMiniprogram.Input) {
    const field = (e.currentTarget.dataset as { field: keyof SignUp }).field;
    this.setData({ [`form.${field}`]: e.detail.value, [`problems.${field}`]: "", problem: "" });
  },

  async submit() {
    if (this.data.busy) return;
    const form = this.data.form;
    const problems = signUpProblems(form);
    if (Object.keys(problems).length) {
      this.setData({ problems, problem: firstProblem(problems) || "" });
      return;
    }
    this.setData({ busy: true, problem: "" });
    const phone = form.phone.trim();
    const lawyer = form.role === "lawyer";
    try {
      await api().post("/api/v1/auth/register", {
        body: {
          role: form.role === "lawyer" ? "lawyer" : "party",
          name: form.name.trim(),
          id_number: form.id_number.trim().toUpperCase(),
          phone,
          password: form.password,
          sms_code: form.sms_code.trim(),
          ...(lawyer ? { license_no: form.license_no.trim(), law_firm: form.law_firm.trim() } : {}),
        },
      });
      const session = await api().post("/api/v1/auth/login", { body: { phone, password: form.password } });
      tokens.set(session.token);
      wx.redirectTo({ url: "/pages/verify/verify?first=1" });
    } catch (err) {
      this.setData({ problem: errorText(err) });
    } finally {
      this.setData({ busy: false });
    }
  },
});
