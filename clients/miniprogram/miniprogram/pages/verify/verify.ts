// 实名认证: until it is approved, case data answers 403 verification_required. The reader
// uploads the identity document (kind identity) and asks for verification
// (POST /api/v1/me/verification); a clerk, or the court's identity service, decides.

import { intent } from "../../api/client";
import { api, currentUser, toSignIn } from "../../api/index";
import { verificationState } from "../../utils/account";
import { kindStates, materialPicking, uploadedIds } from "../../utils/materials";
import { isCode, showError, toast } from "../../utils/ui";
import { LABELS } from "../../utils/words";

const TONES: Record<string, string> = { none: "grey", pending: "blue", approved: "green", rejected: "red" };
const submission = intent();

Page({
  ...materialPicking,
  data: {
    name: "",
    idNumber: "",
    status: "none",
    label: "",
    tone: "grey",
    explanation: "",
    materials: kindStates(["identity"]),
    problem: "",
    busy: false,
  },

  onShow() {
    this.load();
  },

  async load() {
    try {
      const user = await currentUser();
      if (!user) return toSignIn();
      const state = verificationState(user);
      this.setData({
        name: user.name,
        idNumber: user.id_number || "—",
        status: state.status,
        label: LABELS.verification[state.status],
        tone: TONES[state.status],
        explanation: state.explanation || "",
      });
    } catch (err) {
      showError(err);
    }
  },

  async submit() {
    if (this.data.busy) return;
    const material_ids = uploadedIds(this.data.materials);
    if (!material_ids.length) {
      this.setData({ problem: "请先上传本人身份证件的照片或扫描件。" });
      return;
    }
    this.setData({ busy: true });
    const body = { material_ids };
    try {
      await api().post("/api/v1/me/verification", { body, idempotencyKey: submission.keyFor(body) });
      submission.done();
      toast("已提交实名认证，请等待审核");
      await this.load();
    } catch (err) {
      if (isCode(err, "already_verified", "duplicate_pending")) {
        submission.done();
        await this.load();
      } else {
        showError(err);
      }
    } finally {
      this.setData({ busy: false });
    }
  },

  toReading() {
    wx.reLaunch({ url: "/pages/reading/reading" });
  },
});
