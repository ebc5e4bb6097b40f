// 补正: a returned (or refused, expired, revoked) application corrected and sent again as
// a new one (POST …/reapply with the fields that replace the old ones). The old materials
// stay unless the reader removes them; new ones are added. The rules here, apart from the
// page, are unit-tested.

import { LAWYER_KINDS } from "./words";

export const WHOLE = "全案卷宗";

export interface OldMaterial {
  id: string;
  kind: string;
  filename: string;
  removed: boolean;
}

/** The 申请内容 control's two states from an application's scope. */
export function scopeParts(scope: string): { kind: "all" | "part"; text: string } {
  return scope && scope !== WHOLE ? { kind: "part", text: scope } : { kind: "all", text: "" };
}

export function scopeValue(kind: string, text: string): string {
  return kind === "all" ? WHOLE : text.trim() || "部分卷宗";
}

/** The kinds a lawyer's corrected application would still lack. */
export function missingAfter(old: OldMaterial[], newKinds: string[], lawyer: boolean): string[] {
  if (!lawyer) return [];
  const have = new Set([...old.filter((m) => !m.removed).map((m) => m.kind), ...newKinds]);
  return LAWYER_KINDS.filter((k) => !have.has(k));
}

export function correctionBody(old: OldMaterial[], newIds: string[], scope: string, reason: string) {
  return {
    scope,
    reason: reason.trim(),
    material_ids: [...old.filter((m) => !m.removed).map((m) => m.id), ...newIds],
  };
}
