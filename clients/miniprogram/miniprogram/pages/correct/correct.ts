// 补正 (POST /api/v1/applications/{id}/reapply with {scope, reason, material_ids}): the new
// pending application replaces nothing of the old one, which stays as the clerk left it.

import { intent } from "../../api/client";
import { api, currentUser, toSignIn } from "../../api/index";
import { allows } from "../../utils/detail";
import { correctionBody, missingAfter, type OldMaterial, scopeParts, scopeValue } from "../../utils/correction";
import { type KindState, kindStates, materialPicking, uploadedIds, uploadedKinds } from "../../utils/materials";
import { showError, toast } from "../../utils/ui";
import { errorText, LABELS, LAWYER_KINDS } from "../../utils/words";

type Old = OldMaterial & { label: string };

const submission = intent();

Page({
  ...materialPicking,
  data: {
    id: "",
    lawyer: false,
    caseNo: "",
    explanation: "",
    scopeKind: "all",
    scopeText: "",
    reason: "",
    old: [] as Old[],
    materials: [] as KindState[],
    problem: "",
    busy: false,
  },

  async onLoad(query: Record<string, string | undefined>) {
    const id = query.id || "";
    this.setData({ id });
    try {
      const user = await currentUser();
      if (!user) return toSignIn();
      const app = await api().get("/api/v1/applications/{application_id}", { path: { application_id: id } });
      if (!allows(app, "reapply")) {  // the answer says whether it may be sent again
        wx.showModal({
          title: "提示",
          content: app.status === "pending" ? "该申请正在审查中，无需补正。" : "该申请当前的状态不允许补正，请返回查看最新状态。",
          showCancel: false,
          success: () => wx.navigateBack(),
        });
        return;
      }
      const lawyer = user.role === "lawyer";
      const scope = scopeParts(app.scope);
      this.setData({
        lawyer,
        caseNo: app.case_no,
        explanation: app.status === "returned" && app.review ? app.review.explanation || "" : "",
        scopeKind: scope.kind,
        scopeText: scope.text,
        reason: app.reason || "",
        old: (app.materials || []).map((m) => ({ id: String(m.id), kind: m.kind, filename: m.filename, removed: false, label: LABELS.kind[m.kind] || m.kind })),
        materials: kindStates([], lawyer ? [...LAWYER_KINDS, "other"] : ["authorization", "party_id", "other"]),
      });
    } catch (err) {
      showError(err);
    }
  },

  onScopeKind(e: WechatMiniprogram.RadioGroupChange) {
    this.setData({ scopeKind: e.detail.value });
  },

  onScopeText(e: WechatMiniprogram.Input) {
    this.setData({ scopeText: e.detail.value });
  },

  onReason(e: WechatMiniprogram.Input) {
    this.setData({ reason: e.detail.value, problem: "" });
  },

  toggleOld(e: WechatMiniprogram.TouchEvent) {
    const index = Number((e.currentTarget.dataset as { index: number }).index);
    this.setData({ [`old[${index}].removed`]: !this.data.old[index].removed, problem: "" });
  },

  async submit() {
    if (this.data.busy) return;
    if (!this.data.reason.trim()) {
      this.setData({ problem: "请填写申请原因" });
      return;
    }
    const missing = missingAfter(this.data.old, uploadedKinds(this.data.materials), this.data.lawyer);
    if (missing.length) {
      this.setData({ problem: `申请材料不齐，请补充上传后再提交：${missing.map((k) => LABELS.kind[k]).join("、")}` });
      return;
    }
    const body = correctionBody(this.data.old, uploadedIds(this.data.materials), scopeValue(this.data.scopeKind, this.data.scopeText), this.data.reason);
    this.setData({ busy: true, problem: "" });
    try {
      const fresh = await api().post("/api/v1/applications/{application_id}/reapply", {
        path: { application_id: this.data.id },
        body,
        idempotencyKey: submission.keyFor(body),
      });
      submission.done();
      toast("已提交补正");
      wx.redirectTo({ url: `/pages/detail/detail?id=${encodeURIComponent(String(fresh.id))}` });
    } catch (err) {
      this.setData({ problem: errorText(err) });
    } finally {
      this.setData({ busy: false });
    }
  },
});
