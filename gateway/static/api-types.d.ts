// The gateway's routes as the web pages name them, from the types generated from the
// OpenAPI document (clients/miniprogram/typings/api.d.ts, `make client-types`): a path
// with its parameters filled in, optionally a query. A route the gateway does not serve
// does not type-check; when the document gains stricter shapes, so do these.
import type { paths } from "../../clients/miniprogram/typings/api";

/** "/api/v1/applications/{application_id}" → `/api/v1/applications/${string}`. */
type Filled<S extends string> = S extends `${infer Head}{${string}}${infer Tail}` ? `${Head}${string}${Filled<Tail>}` : S;

export type Route = Filled<keyof paths & string>;

/** A route of the document, with or without a query string. */
export type ApiPath = Route | `${Route}?${string}`;

export type ApiMethod = "GET" | "POST" | "PUT" | "DELETE";
