// 申请 (the manual's 图4): pick one of the reader's cases or type its number; the lookup
// says before submitting whether the reader may apply (a lawyer on an in-trial case not on
// record must bind first); then 申请内容, 申请原因 and the materials a lawyer must bring.

import { type Answer, ApiFailure, intent } from "../../api/client";
import { api, currentUser, toSignIn } from "../../api/index";
import { type KindState, kindStates, materialPicking, uploadedIds, uploadedKinds } from "../../utils/materials";
import { isCode, showError, toast } from "../../utils/ui";
import { applicationProblems, checkCaseNo, firstProblem, type Problems } from "../../utils/validate";
import { errorText, LABELS, LAWYER_KINDS } from "../../utils/words";

type Cases = Answer<"/api/v1/my/cases", "get">;
type Lookup = Answer<"/api/v1/cases/lookup", "get">;

const submission = intent();

Page({
  ...materialPicking,
  data: {
    lawyer: false,
    needsVerification: false,
    cases: [] as Cases["items"],
    caseLabels: [] as string[],
    caseIndex: -1,
    caseNo: "",
    looking: false,
    found: null as Lookup | null,
    foundStatus: "",
    foundRelation: "",
    scopeKind: "all",
    scopeText: "",
    reason: "",
    materials: [] as KindState[],
    problems: {} as Problems,
    problem: "",
    busy: false,
  },

  async onLoad(query: Record<string, string | undefined>) {
    try {
      const user = await currentUser();
      if (!user) return toSignIn();
      const lawyer = user.role === "lawyer";
      this.setData({
        lawyer,
        materials: lawyer ? kindStates(LAWYER_KINDS, ["other"]) : kindStates([], ["other"]),
        caseNo: query.case_no ? decodeURIComponent(query.case_no) : "",
      });
      const cases = await api().get("/api/v1/my/cases", { query: { limit: 100 } });
      this.setData({
        cases: cases.items,
        caseLabels: cases.items.map((c) => `${c.case_no}（${LABELS.caseStatus[c.status] || c.status}）`),
      });
      if (this.data.caseNo) await this.lookup();
    } catch (err) {
      if (isCode(err, "verification_required")) this.setData({ needsVerification: true });
      else showError(err);
    }
  },

  onPickCase(e: WechatMiniprogram.PickerChange) {
    const index = Number(e.detail.value);
    this.setData({ caseIndex: index, caseNo: this.data.cases[index].case_no });
    this.lookup();
  },

  onCaseNo(e: WechatMiniprogram.Input) {
    this.setData({ caseNo: e.detail.value, found: null, caseIndex: -1, "problems.case_no": "" });
  },

  async lookup() {
    const checked = checkCaseNo(this.data.caseNo);
    if (!checked.ok) {
      this.setData({ "problems.case_no": checked.problem, found: null });
      return;
    }
    this.setData({ looking: true, caseNo: checked.canonical, "problems.case_no": "" });
    try {
      const found = await api().get("/api/v1/cases/lookup", { query: { case_no: checked.canonical } });
      this.setData({
        found,
        caseNo: found.case_no,
        foundStatus: LABELS.caseStatus[found.status] || found.status,
        foundRelation: LABELS.relation[found.relation] || found.relation,
      });
    } catch (err) {
      if (isCode(err, "verification_required")) this.setData({ needsVerification: true });
      else this.setData({ "problems.case_no": errorText(err), found: null });
    } finally {
      this.setData({ looking: false });
    }
  },

  onScopeKind(e: WechatMiniprogram.RadioGroupChange) {
    this.setData({ scopeKind: e.detail.value });
  },

  onScopeText(e: WechatMiniprogram.Input) {
    this.setData({ scopeText: e.detail.value });
  },

  onReason(e: WechatMiniprogram.Input) {
    this.setData({ reason: e.detail.value, "problems.reason": "" });
  },

  toVerify() {
    wx.navigateTo({ url: "/pages/verify/verify" });
  },

  bindCase() {
    wx.navigateTo({ url: `/pages/bind/bind?case_no=${encodeURIComponent(this.data.caseNo)}` });
  },

  async submit() {
    if (this.data.busy) return;
    const scope = this.data.scopeKind === "all" ? "全案卷宗" : this.data.scopeText.trim() || "部分卷宗";
    const required = this.data.lawyer ? LAWYER_KINDS : [];
    const problems = applicationProblems(
      { case_no: this.data.caseNo, scope, reason: this.data.reason, kinds: uploadedKinds(this.data.materials) },
      required,
    );
    if (Object.keys(problems).length) {
      this.setData({ problems, problem: firstProblem(problems) || "" });
      return;
    }
    if (this.data.found && this.data.found.needs_binding) {
      this.setData({ problem: errorText(new ApiFailure(409, "binding_required", "")) });
      return;
    }
    const checked = checkCaseNo(this.data.caseNo);
    const body = {
      case_no: checked.ok ? checked.canonical : this.data.caseNo,
      scope,
      reason: this.data.reason.trim(),
      material_ids: uploadedIds(this.data.materials),
    };
    this.setData({ busy: true, problem: "" });
    try {
      const created = await api().post("/api/v1/applications", { body, idempotencyKey: submission.keyFor(body) });
      submission.done();
      toast("申请已提交");
      wx.redirectTo({ url: `/pages/detail/detail?id=${encodeURIComponent(String(created.id))}` });
    } catch (err) {
      if (isCode(err, "verification_required")) this.setData({ needsVerification: true });
      // not looked up first (typed and sent at once): the lookup's notice leads to 案件绑定
      if (isCode(err, "binding_required")) await this.lookup();
      this.setData({ problem: errorText(err) });
    } finally {
      this.setData({ busy: false });
    }
  },
});
