// A list the server hands out a page at a time (API.md: limit, cursor, next_cursor), in
// one place for every page that shows one: 阅卷申请, 站内信, 案件绑定, 我的案件, 查阅记录
// and 申请详情's 阅卷记录. 加载更多 asks for the next page; the rows already shown stay.

import { toSignIn, tokens } from "../api/index";
import type { Page } from "../api/shapes";
import { isCode, showError } from "./ui";

export const PAGE_SIZE = 20;

/** Where a list keeps itself in its page's data; a page of one list uses the plain names. */
export interface ListKeys {
  items: string;
  cursor: string;
  loading: string;
  loaded: string;
}

const PLAIN: ListKeys = { items: "items", cursor: "cursor", loading: "loading", loaded: "loaded" };

interface Host {
  data: object;
  setData(patch: Record<string, unknown>): void;
}

export interface List<T, R> {
  /** One page from the server, after `cursor` (undefined: the first). */
  fetch(cursor: string | undefined): Promise<Page<T>>;
  /** A row as the view shows it; `index` is its place in the whole list. */
  row(item: T, index: number): R;
  /** Takes a refusal (true) instead of the dialog. */
  refused?(err: unknown): boolean;
  /** More of the page's data, set with the rows. */
  withRows?: Record<string, unknown>;
  keys?: ListKeys;
}

/**
 * Fetches the page after the rows shown and appends it. A refusal is shown in a dialog
 * unless `refused` takes it. `loading` holds while the page travels, `loaded` once one came.
 */
export async function loadMore<T, R>(page: Host, list: List<T, R>): Promise<void> {
  const keys = list.keys || PLAIN;
  const data = () => page.data as Record<string, unknown>;
  page.setData({ [keys.loading]: true });
  try {
    const got = await list.fetch((data()[keys.cursor] as string | null) || undefined);
    const shown = data()[keys.items] as R[];
    const rows = got.items.map((item, i) => list.row(item, shown.length + i));
    page.setData({ [keys.items]: [...shown, ...rows], [keys.cursor]: got.next_cursor, [keys.loaded]: true, ...list.withRows });
  } catch (err) {
    if (!list.refused || !list.refused(err)) showError(err);
  } finally {
    page.setData({ [keys.loading]: false });
  }
}

/** For `refused`: 实名认证 still to do is the page's banner (needsVerification), not a dialog. */
export function verificationBanner(page: Host): (err: unknown) => boolean {
  return (err) => {
    if (!isCode(err, "verification_required")) return false;
    page.setData({ needsVerification: true, loaded: true });
    return true;
  };
}

interface ListPage extends Host {
  data: { cursor: string | null; loading: boolean };
  reload(): Promise<void>;
  more(): Promise<void>;
}

/** A list read again from its first page: when shown (a reader signed out goes to 登录) and pulled down. */
export const freshList = {
  onShow(this: ListPage) {
    if (!tokens.get()) return toSignIn();
    this.reload();
  },

  onPullDownRefresh(this: ListPage) {
    this.reload().then(() => wx.stopPullDownRefresh());
  },

  reload(this: ListPage) {
    this.setData({ items: [], cursor: null, loaded: false });
    return this.more();
  },
};

/** The next page when the reader scrolls to the bottom, as 加载更多 does. */
export const moreAtBottom = {
  onReachBottom(this: ListPage) {
    if (this.data.cursor && !this.data.loading) this.more();
  },
};
