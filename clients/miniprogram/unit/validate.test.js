"use strict";
// The form checks agree with the server's rules (services/common/court/people.py,
// services/identity/domain.py, services/common/court/case_numbers.py), case by case.
const test = require("node:test");
const assert = require("node:assert/strict");
const load = require("./load");

const v = load("utils/validate.js");
const TODAY = new Date("2026-06-01T00:00:00Z");

// 11010519491231002X: the standard's own example, check digit X
const GOOD_ID = "11010519491231002X";

test("phones: a mainland mobile number of 11 digits, second digit 3–9", () => {
  for (const good of ["13800000000", "19912345678"]) assert.equal(v.isValidPhone(good), true, good);
  for (const bad of ["12800000000", "1380000000", "138000000000", "+8613800000000", "1380000000a", "１３８００００００００"]) {
    assert.equal(v.isValidPhone(bad), false, bad);
  }
});

test("passwords: at least 8, at least two kinds; a Chinese character counts as other", () => {
  assert.equal(v.passwordProblem("abcdefgh"), "密码至少8位，且包含小写字母、大写字母、数字、其他字符中的至少两种");
  assert.notEqual(v.passwordProblem("Abc12"), null); // too short
  assert.equal(v.passwordProblem("abcdefg1"), null);
  assert.equal(v.passwordProblem("abcdefg阅"), null);
  assert.equal(v.passwordProblem("ABCDEFG!"), null);
  assert.match(v.passwordProblem("a1".repeat(65)), /128/);
});

test("ID numbers: GB 11643 check digit, a real birth date, lower-case x accepted", () => {
  assert.equal(v.isValidIdNumber(GOOD_ID, TODAY), true);
  assert.equal(v.isValidIdNumber(" 11010519491231002x ", TODAY), true);
  assert.equal(v.isValidIdNumber("110105194912310021", TODAY), false); // wrong check digit
  assert.equal(v.isValidIdNumber("110105194902300028", TODAY), false); // 30 February
  assert.equal(v.isValidIdNumber("11010519491231002", TODAY), false); // 17 characters
  // born after "today"
  const future = "11010520300101" + "001";
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...future].reduce((s, d, i) => s + Number(d) * weights[i], 0);
  assert.equal(v.isValidIdNumber(future + "10X98765432"[sum % 11], TODAY), false);
});

test("case numbers: ASCII or full-width brackets, spaces, full-width digits; the canonical form back", () => {
  for (const raw of ["(2021)粤01民初1号", "（2021）粤01民初1号", " ( 2021 ) 粤01 民初 1 号 ", "（２０２１）粤０１民初１号"]) {
    assert.deepEqual(v.checkCaseNo(raw, TODAY), { ok: true, canonical: "（2021）粤01民初1号" }, raw);
  }
  assert.equal(v.checkCaseNo("（2021）最高法民申12号", TODAY).ok, true);
  assert.equal(v.checkCaseNo("（2021）粤0106知民初3号", TODAY).ok, true);
});

test("case numbers: the first wrong part is named, in the server's words", () => {
  const problem = (raw) => v.checkCaseNo(raw, TODAY).problem;
  assert.equal(problem(""), "请填写案号，例如（2021）粤01民初1号");
  assert.equal(problem("2021粤01民初1号"), "案号应以括号括起的收案年度开头，例如（2021）");
  assert.equal(problem("(21)粤01民初1号"), "案号中的收案年度应为括号内的四位数字，例如（2021）");
  assert.equal(problem("(2099)粤01民初1号"), "案号中的收案年度不正确");
  assert.equal(problem("(2021)X01民初1号"), "案号中的法院代字不正确，应为省份简称加两位或四位数字，例如粤01、粤0106");
  assert.equal(problem("(2021)粤01民初1"), "案号应以“号”结尾");
  assert.equal(problem("(2021)粤01121号"), "案号中的法院代字不正确，应为省份简称加两位或四位数字，例如粤01、粤0106");
  assert.equal(problem("(2021)粤01民初0号"), "案号中的序号应从1开始");
  assert.equal(problem("(2021)粤01民初01号"), "案号中的序号不应以0开头");
});

test("sign-up: every field, lawyers' two more, the password typed twice", () => {
  const form = {
    role: "party", name: "张三", id_number: GOOD_ID, phone: "13800000000", sms_code: "123456",
    password: "Reading-2026", password_again: "Reading-2026", license_no: "", law_firm: "",
  };
  assert.deepEqual(v.signUpProblems(form, TODAY), {});
  assert.deepEqual(Object.keys(v.signUpProblems({ ...form, role: "lawyer" }, TODAY)), ["license_no", "law_firm"]);
  assert.deepEqual(Object.keys(v.signUpProblems({ ...form, sms_code: "12345", password_again: "x" }, TODAY)), ["sms_code", "password_again"]);
  assert.deepEqual(Object.keys(v.signUpProblems({ ...form, name: " ", phone: "1", id_number: "1" }, TODAY)), ["name", "id_number", "phone"]);
});

test("an application: the case number, 申请内容, 申请原因 and the required materials", () => {
  const draft = { case_no: "(2021)粤01民初1号", scope: "全案卷宗", reason: "诉讼需要", kinds: [] };
  assert.deepEqual(v.applicationProblems(draft, [], TODAY), {});
  const lawyer = v.applicationProblems({ ...draft, kinds: ["license", "other"] }, ["license", "firm_letter", "authorization", "party_id"], TODAY);
  assert.equal(lawyer.materials, "申请材料不齐，请补充上传后再提交：律所介绍信或证明、当事人授权委托书或法律援助公函、当事人身份证明");
  assert.deepEqual(Object.keys(v.applicationProblems({ ...draft, case_no: "x", reason: "" }, [], TODAY)), ["case_no", "reason"]);
  assert.equal(v.firstProblem({}), null);
});
