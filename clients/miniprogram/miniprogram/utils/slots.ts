// 预约到场时间 for on-site reading: the open slots of the window by day, as
// "2030-03-05（周二）" and "上午 09:00–12:00", each with its free seats (余 N / 名额已满).

const WEEKDAYS = ["周日", "周一", "周二", "周三", "周四", "周五", "周六"];

export interface Slot {
  date: string;
  start: string;
  end: string;
  free?: number;
}

/** "2030-03-05（周二）": noon in Beijing is the same day in UTC. */
export function dayWords(date: string): string {
  return `${date}（${WEEKDAYS[new Date(`${date}T12:00:00+08:00`).getUTCDay()]}）`;
}

export function timeWords(slot: Slot): string {
  const part = slot.start < "12:00" ? "上午" : slot.start < "18:00" ? "下午" : "晚上";
  return `${part} ${slot.start}–${slot.end}`;
}

export function slotWords(slot: Slot): string {
  return `${dayWords(slot.date)}${timeWords(slot)}`;
}

export interface SlotDay {
  date: string;
  day: string;
  slots: Array<{ date: string; start: string; time: string; free: number; mine: boolean; label: string }>;
}

export function slotDays(items: Slot[], booking: Slot | null | undefined): SlotDay[] {
  const days: SlotDay[] = [];
  for (const slot of items) {
    let day = days.find((d) => d.date === slot.date);
    if (!day) {
      day = { date: slot.date, day: dayWords(slot.date), slots: [] };
      days.push(day);
    }
    const mine = Boolean(booking && booking.date === slot.date && booking.start === slot.start);
    const free = slot.free || 0;
    day.slots.push({ date: slot.date, start: slot.start, time: timeWords(slot), free, mine, label: mine ? "已预约" : free ? `余 ${free}` : "名额已满" });
  }
  return days;
}
