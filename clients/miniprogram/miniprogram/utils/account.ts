// Where an account stands with 实名认证 (未认证 / 审核中 / 已认证 / 未通过 and why).

export interface VerificationFacts {
  verified?: boolean | null;
  verification?: null | { status: string; explanation?: string | null };
}

export function verificationState(user: VerificationFacts): { status: "none" | "pending" | "approved" | "rejected"; explanation: string | null } {
  if (user.verified) return { status: "approved", explanation: null };
  const v = user.verification;
  if (v && v.status === "pending") return { status: "pending", explanation: null };
  if (v && v.status === "rejected") return { status: "rejected", explanation: v.explanation || null };
  return { status: "none", explanation: null };
}
