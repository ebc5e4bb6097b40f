// 申请案件绑定 (POST /api/v1/bindings): the case, the party the lawyer acts for, 执业证 and
// 当事人授权委托书; a clerk decides, and an approved binding lets the lawyer apply.

import { intent } from "../../api/client";
import { api, toSignIn, tokens } from "../../api/index";
import { kindStates, materialPicking, uploadedIds, uploadedKinds } from "../../utils/materials";
import { toast } from "../../utils/ui";
import { checkCaseNo } from "../../utils/validate";
import { BINDING_KINDS, errorText, LABELS } from "../../utils/words";

const submission = intent();

Page({
  ...materialPicking,
  data: {
    caseNo: "",
    partyName: "",
    materials: kindStates(BINDING_KINDS),
    problem: "",
    busy: false,
  },

  onLoad(query: Record<string, string | undefined>) {
    if (!tokens.get()) return toSignIn();
    if (query.case_no) this.setData({ caseNo: decodeURIComponent(query.case_no) });
  },

  onInput(e: WechatMiniprogram.Input) {
    const field = (e.currentTarget.dataset as { field: string }).field;
    this.setData({ [field]: e.detail.value, problem: "" });
  },

  async submit() {
    if (this.data.busy) return;
    const checked = checkCaseNo(this.data.caseNo);
    const missing = BINDING_KINDS.filter((k) => !uploadedKinds(this.data.materials).includes(k));
    const problem = !checked.ok
      ? checked.problem
      : !this.data.partyName.trim()
        ? "请填写委托您的当事人姓名"
        : missing.length
          ? `绑定材料不齐，请补充上传：${missing.map((k) => LABELS.kind[k]).join("、")}`
          : null;
    if (problem || !checked.ok) {
      this.setData({ problem: problem || "" });
      return;
    }
    const body = { case_no: checked.canonical, party_name: this.data.partyName.trim(), material_ids: uploadedIds(this.data.materials) };
    this.setData({ busy: true });
    try {
      await api().post("/api/v1/bindings", { body, idempotencyKey: submission.keyFor(body) });
      submission.done();
      toast("绑定申请已提交，请等待审查");
      wx.redirectTo({ url: "/pages/bindings/bindings" });
    } catch (err) {
      this.setData({ problem: errorText(err) });
    } finally {
      this.setData({ busy: false });
    }
  },
});
