// Dates as YYYY-MM-DD and times in Beijing time (UI.md "Everywhere"). Done by hand: the
// mini-program's JavaScript engines do not all carry Intl time zones, and China has had
// one offset (UTC+8, no summer time) since 1991.

const BEIJING_MS = 8 * 3600 * 1000;
const pad = (n: number) => String(n).padStart(2, "0");

function beijing(value: string): Date | null {
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? null : new Date(at.getTime() + BEIJING_MS);
}

/** "2022-05-18T00:07:00+08:00" → "2022-05-18"; a date stays as it is; nothing → "—". */
export function fmtDate(value: string | null | undefined): string {
  if (!value) return "—";
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const b = beijing(value);
  return b ? `${b.getUTCFullYear()}-${pad(b.getUTCMonth() + 1)}-${pad(b.getUTCDate())}` : value;
}

/** "2022-05-17T16:07:00Z" → "2022-05-18 00:07:00" (Beijing time). */
export function fmtTime(value: string | null | undefined): string {
  if (!value) return "—";
  const b = beijing(value);
  if (!b) return value;
  return `${fmtDate(value)} ${pad(b.getUTCHours())}:${pad(b.getUTCMinutes())}:${pad(b.getUTCSeconds())}`;
}

/** "138****0000" from a phone typed in full, for "验证码已发送至 …". */
export function maskPhone(phone: string): string {
  return phone.length === 11 ? `${phone.slice(0, 3)}****${phone.slice(7)}` : phone;
}
