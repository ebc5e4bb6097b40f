// 修改密码 (POST /api/v1/me/password): this sign-in stays, every other one ends at once.

import { api, toSignIn, tokens } from "../../api/index";
import { toast } from "../../utils/ui";
import { passwordProblem } from "../../utils/validate";
import { errorText } from "../../utils/words";

Page({
  data: { old: "", fresh: "", again: "", problem: "", busy: false, done: false },

  onLoad() {
    if (!tokens.get()) toSignIn();
  },

  onInput(e: WechatMiniprogram.Input) {
    const field = (e.currentTarget.dataset as { field: string }).field;
    this.setData({ [field]: e.detail.value, problem: "", done: false });
  },

  async submit() {
    if (this.data.busy) return;
    const problem = !this.data.old
      ? "请输入原密码"
      : passwordProblem(this.data.fresh) || (this.data.fresh !== this.data.again ? "两次输入的新密码不一致，请重新输入" : null);
    if (problem) {
      this.setData({ problem });
      return;
    }
    this.setData({ busy: true });
    try {
      await api().post("/api/v1/me/password", { body: { old_password: this.data.old, new_password: this.data.fresh } });
      this.setData({ old: "", fresh: "", again: "", done: true });
      toast("密码已修改");
    } catch (err) {
      this.setData({ problem: errorText(err) });
    } finally {
      this.setData({ busy: false });
    }
  },
});
