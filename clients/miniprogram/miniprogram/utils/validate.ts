// Form checks made before sending, so a person on a slow phone hears at once what to fix.
// They follow the server's rules exactly (services/common/court/people.py, services/identity/
// domain.py, services/common/court/case_numbers.py) and never replace them: the server checks
// everything again, and has rules no client can (a common password, the lawyer registry).

import { LABELS } from "./words";

const PHONE = /^1[3-9][0-9]{9}$/;
const ID = /^[0-9]{17}[0-9X]$/;
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = "10X98765432";
const MAX_PASSWORD = 128;

export function isValidPhone(value: string): boolean {
  return PHONE.test(value);
}

/** At least 8 characters of at least two kinds: lower, upper, digit, other (a Chinese character is "other"). */
export function passwordProblem(value: string): string | null {
  if (value.length > MAX_PASSWORD) return `密码不能超过${MAX_PASSWORD}个字符`;
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(value)).length;
  if (value.length < 8 || kinds < 2) return "密码至少8位，且包含小写字母、大写字母、数字、其他字符中的至少两种";
  return null;
}

/** An 18-character resident ID number (GB 11643): a real birth date and the right check digit. */
export function isValidIdNumber(raw: string, today: Date = new Date()): boolean {
  const text = raw.trim().toUpperCase();
  if (!ID.test(text)) return false;
  const year = Number(text.slice(6, 10));
  const month = Number(text.slice(10, 12));
  const day = Number(text.slice(12, 14));
  const born = new Date(Date.UTC(year, month - 1, day));
  if (born.getUTCFullYear() !== year || born.getUTCMonth() !== month - 1 || born.getUTCDate() !== day) return false;
  if (year < 1900 || born.getTime() > today.getTime()) return false;
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(text[i]) * ID_WEIGHTS[i];
  return ID_CHECK[sum % 11] === text[17];
}

export function isValidSmsCode(value: string): boolean {
  return /^[0-9]{6}$/.test(value.trim());
}

// -- case numbers (案号) --------------------------------------------------------------------
const PROVINCES = "粤京沪津渝冀晋辽吉黑苏浙皖闽赣鲁豫鄂湘桂琼川黔云藏陕甘青宁新内军兵";
const EXAMPLE = "（2021）粤01民初1号";
const COURT = new RegExp(`^(最高法|[${PROVINCES}](?:[0-9]{4}|[0-9]{2})?)(?![0-9])`);

export type CaseNoCheck = { ok: true; canonical: string } | { ok: false; problem: string };

/**
 * A case number checked part by part, left to right, as the server does, so the message
 * names the first wrong part; ASCII or full-width brackets, spaces and full-width digits
 * are accepted and the canonical form (full-width brackets, ASCII digits) comes back.
 */
export function checkCaseNo(raw: string, today: Date = new Date()): CaseNoCheck {
  const bad = (problem: string): CaseNoCheck => ({ ok: false, problem });
  if (!raw.trim()) return bad(`请填写案号，例如${EXAMPLE}`);
  if (raw.length > 64) return bad("案号过长");
  const text = raw.normalize("NFKC").replace(/\s+/g, "");
  if (!text.startsWith("(") || !text.includes(")")) return bad("案号应以括号括起的收案年度开头，例如（2021）");
  const yearMatch = /^\(([0-9]+)\)/.exec(text);
  if (!yearMatch || yearMatch[1].length !== 4) return bad("案号中的收案年度应为括号内的四位数字，例如（2021）");
  const year = Number(yearMatch[1]);
  if (year < 1949 || year > today.getFullYear()) return bad("案号中的收案年度不正确");
  let rest = text.slice(yearMatch[0].length);
  const court = COURT.exec(rest);
  if (!court) return bad("案号中的法院代字不正确，应为省份简称加两位或四位数字，例如粤01、粤0106");
  rest = rest.slice(court[0].length);
  if (!rest.endsWith("号")) return bad("案号应以“号”结尾");
  const type = /^([\u4e00-\u9fff]{1,4})(?=[0-9])/.exec(rest);
  if (!type) return bad("案号中的类型代字不正确，应为一至四个汉字，例如民初、刑终、执");
  const number = /^([0-9]+)号$/.exec(rest.slice(type[0].length));
  if (!number) return bad(`案号格式不正确，应为（年度）法院代字类型代字序号号，例如${EXAMPLE}`);
  if (Number(number[1]) === 0) return bad("案号中的序号应从1开始");
  if (number[1].startsWith("0")) return bad("案号中的序号不应以0开头");
  return { ok: true, canonical: `（${year}）${court[1]}${type[1]}${Number(number[1])}号` };
}

// -- whole forms: {field: what is wrong}, empty when the form may be sent -------------------
export type Problems = Record<string, string>;

export interface SignUp {
  role: string;
  name: string;
  id_number: string;
  phone: string;
  sms_code: string;
  password: string;
  password_again: string;
  license_no: string;
  law_firm: string;
}

export function signUpProblems(form: SignUp, today: Date = new Date()): Problems {
  const problems: Problems = {};
  if (form.role !== "party" && form.role !== "lawyer") problems.role = "请选择身份：当事人或律师";
  if (!form.name.trim()) problems.name = "请填写姓名（与身份证一致）";
  else if (form.name.trim().length > 50) problems.name = "姓名不能超过50个字符";
  if (!isValidIdNumber(form.id_number, today)) problems.id_number = "身份证号码不正确，请核对后重新输入";
  if (!isValidPhone(form.phone.trim())) problems.phone = "手机号格式不正确，请输入11位手机号";
  if (!isValidSmsCode(form.sms_code)) problems.sms_code = "请先点击“获取验证码”，输入短信中的6位验证码";
  const weak = passwordProblem(form.password);
  if (weak) problems.password = weak;
  else if (form.password !== form.password_again) problems.password_again = "两次输入的密码不一致";
  if (form.role === "lawyer") {
    if (!form.license_no.trim()) problems.license_no = "请填写律师执业证号";
    else if (form.license_no.trim().length > 32) problems.license_no = "执业证号不能超过32个字符";
    if (!form.law_firm.trim()) problems.law_firm = "请填写所在律师事务所";
    else if (form.law_firm.trim().length > 100) problems.law_firm = "律师事务所不能超过100个字符";
  }
  return problems;
}

export function signInProblems(phone: string, password: string): Problems {
  const problems: Problems = {};
  if (!isValidPhone(phone.trim())) problems.phone = "手机号格式不正确，请输入11位手机号";
  if (!password) problems.password = "请输入密码";
  return problems;
}

export interface ApplicationDraft {
  case_no: string;
  scope: string;
  reason: string;
  kinds: string[];
}

/** `required`: the material kinds this applicant must upload (a lawyer's four, a party's none). */
export function applicationProblems(draft: ApplicationDraft, required: string[], today: Date = new Date()): Problems {
  const problems: Problems = {};
  const caseNo = checkCaseNo(draft.case_no, today);
  if (!caseNo.ok) problems.case_no = caseNo.problem;
  if (!draft.scope.trim()) problems.scope = "请填写申请内容";
  else if (draft.scope.trim().length > 500) problems.scope = "申请内容不能超过500个字符";
  if (!draft.reason.trim()) problems.reason = "请填写申请原因";
  else if (draft.reason.trim().length > 1000) problems.reason = "申请原因不能超过1000个字符";
  const missing = required.filter((kind) => !draft.kinds.includes(kind));
  if (missing.length) problems.materials = `申请材料不齐，请补充上传后再提交：${missing.map((k) => LABELS.kind[k] || k).join("、")}`;
  return problems;
}

export function firstProblem(problems: Problems): string | null {
  const keys = Object.keys(problems);
  return keys.length ? problems[keys[0]] : null;
}
