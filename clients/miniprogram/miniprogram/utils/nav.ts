// Going on after sign-in or sign-up: to the page the person came from (`next`, a page of
// this mini-program), replacing the form so 返回 does not lead back to it.

const HOME = "/pages/reading/reading";

export function safeNext(value: string | undefined | null): string {
  // only this mini-program's own pages: a `next` is a query parameter anyone can write
  return value && /^\/pages\/[a-z]+\/[a-z]+(\?.*)?$/.test(value) ? value : HOME;
}

export function back(next: string | undefined | null): void {
  wx.redirectTo({ url: safeNext(next) });
}
