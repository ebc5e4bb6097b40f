// Where the gateway is, for each version of the mini-program (wx.getAccountInfoSync's
// envVersion). 开发版 runs in WeChat DevTools against a local stack (`make run`, with
// 不校验合法域名 ticked); 体验版 and 正式版 go to the court's public HTTPS address, which
// must also be listed as a request domain (合法域名) of the AppID: see README.md.
// Set these before uploading; nothing secret belongs here (the app holds no keys).

export type EnvVersion = "develop" | "trial" | "release";

export const BASE_URLS: Record<EnvVersion, string> = {
  develop: "http://127.0.0.1:8000",
  trial: "https://dossier.court.example",
  release: "https://dossier.court.example",
};

export function baseUrlFor(envVersion: string): string {
  return BASE_URLS[envVersion as EnvVersion] || BASE_URLS.release;
}
