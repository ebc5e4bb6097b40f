// 登录 with phone and password (POST /api/v1/auth/login); the bearer token it answers is
// kept in wx storage. Staff accounts belong to the court's console, not here.

import { api, tokens } from "../../api/index";
import { errorText } from "../../utils/words";
import { firstProblem, signInProblems } from "../../utils/validate";
import { back } from "../../utils/nav";

Page({
  data: { phone: "", password: "", problem: "", busy: false, next: "", nextEncoded: "" },

  onLoad(query: Record<string, string | undefined>) {
    const next = query.next ? decodeURIComponent(query.next) : "/pages/reading/reading";
    this.setData({ next, nextEncoded: encodeURIComponent(next), phone: query.phone || "" });
  },

  onInput(e: WechatMiniprogram.Input) {
    const field = (e.currentTarget.dataset as { field: "phone" | "password" }).field;
    this.setData({ [field]: e.detail.value, problem: "" });
  },

  async submit() {
    if (this.data.busy) return;
    const phone = this.data.phone.trim();
    const problem = firstProblem(signInProblems(phone, this.data.password));
    if (problem) {
      this.setData({ problem });
      return;
    }
    this.setData({ busy: true, problem: "" });
    try {
      const result = await api().post("/api/v1/auth/login", { body: { phone, password: this.data.password } });
      if (result.user.role !== "party" && result.user.role !== "lawyer") {
        tokens.set(result.token);
        await api().post("/api/v1/auth/logout").catch(() => null);
        tokens.clear();
        this.setData({ problem: "此入口供当事人、律师使用；工作人员请使用法院工作台。" });
        return;
      }
      tokens.set(result.token);
      back(this.data.next);
    } catch (err) {
      this.setData({ problem: errorText(err) });
    } finally {
      this.setData({ busy: false });
    }
  },
});
