// 查看案卷 on a touch screen: left for the next page, right for the previous one.

// A swipe turns the page when the finger moved this far sideways, mostly sideways, quickly.
export const SWIPE_MIN_PX = 60;
export const SWIPE_MAX_MS = 800;

/** -1 (previous page), 1 (next page) or 0 for a touch that moved from `from` to `to`. */
export function swipeDirection(from: { x: number; y: number; at: number }, to: { x: number; y: number; at: number }): -1 | 0 | 1 {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  if (to.at - from.at > SWIPE_MAX_MS || Math.abs(dx) < SWIPE_MIN_PX || Math.abs(dx) <= 2 * Math.abs(dy)) return 0;
  return dx < 0 ? 1 : -1;
}
