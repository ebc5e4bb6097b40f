// The gateway's routes as the web pages (gateway/static) name them, from the types generated
// from the OpenAPI document (clients/miniprogram/typings/api.d.ts, `make client-types`): a
// path with its parameters filled in, optionally a query. A route the gateway does not serve
// does not type-check. Global, so the pages' JSDoc names them without an import; kept out of
// gateway/static, whose every file the gateway serves.
import type { paths } from "../../clients/miniprogram/typings/api";

/** "/api/v1/applications/{application_id}" → `/api/v1/applications/${string}`. */
type Filled<S extends string> = S extends `${infer Head}{${string}}${infer Tail}` ? `${Head}${string}${Filled<Tail>}` : S;

declare global {
  /** A route of the OpenAPI document, its parameters filled in. */
  type ApiRoute = Filled<keyof paths & string>;
  /** A route of the document, with or without a query string. */
  type ApiPath = ApiRoute | `${ApiRoute}?${string}`;
  type ApiMethod = "GET" | "POST" | "PUT" | "DELETE";
}
