// The app's one client: the real `wx`, the base URL of this version (config.ts), and the
// bearer token kept in wx storage so a reader stays signed in between launches until the
// token expires (IDENTITY_TOKEN_TTL_HOURS on the server) or is revoked.

import { baseUrlFor } from "../config";
import { type Answer, Client, type TokenStore } from "./client";

const TOKEN_KEY = "court.token";

export const tokens: TokenStore = {
  get: () => (wx.getStorageSync(TOKEN_KEY) as string) || null,
  set: (token) => wx.setStorageSync(TOKEN_KEY, token),
  clear: () => wx.removeStorageSync(TOKEN_KEY),
};

let client: Client | null = null;
let leaving = false;

export function api(): Client {
  if (!client) {
    client = new Client({
      wx,
      baseUrl: baseUrlFor(wx.getAccountInfoSync().miniProgram.envVersion),
      tokens,
      onUnauthenticated: toSignIn,
    });
  }
  return client;
}

/** To 登录, coming back to the page the person was on. Several 401s at once navigate once. */
export function toSignIn(): void {
  if (leaving) return;
  const pages = getCurrentPages();
  const here = pages[pages.length - 1];
  if (here && here.route === "pages/login/login") return;
  leaving = true;
  const back = here ? `/${here.route}${queryOf(here.options as Record<string, string>)}` : "/pages/reading/reading";
  wx.redirectTo({
    url: `/pages/login/login?next=${encodeURIComponent(back)}`,
    complete: () => {
      leaving = false;
    },
  });
}

function queryOf(options: Record<string, string> | undefined): string {
  const keys = Object.keys(options || {});
  return keys.length ? `?${keys.map((k) => `${k}=${encodeURIComponent(options![k])}`).join("&")}` : "";
}

export type Me = Answer<"/api/v1/me", "get">;

/** The signed-in reader, asked of the server each time (实名认证 may have been decided meanwhile). */
export async function currentUser(): Promise<Me | null> {
  if (!tokens.get()) return null;
  return api().get("/api/v1/me");
}
