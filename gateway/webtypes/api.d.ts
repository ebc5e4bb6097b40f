// The gateway's routes as the web pages (gateway/static) name them, from the types generated
// from the OpenAPI document (clients/miniprogram/typings/api.d.ts, `make client-types`): a
// path with its parameters filled in, optionally a query, and the request body and answer of
// each route and method. A route the gateway does not serve does not type-check, nor does a
// body the route does not take, nor a field its answer does not have. Global, so the pages'
// JSDoc names them without an import; kept out of gateway/static, whose every file the
// gateway serves.
import type { paths } from "../../clients/miniprogram/typings/api";

/** "/api/v1/applications/{application_id}" → `/api/v1/applications/${string}`. */
type Filled<S extends string> = S extends `${infer Head}{${string}}${infer Tail}` ? `${Head}${string}${Filled<Tail>}` : S;

type Template = keyof paths & string;
type WithoutQuery<P extends string> = P extends `${infer Base}?${string}` ? Base : P;
type Segments<S extends string> = S extends `${infer Head}/${infer Tail}` ? [Head, ...Segments<Tail>] : [S];
/** Segment by segment: a `{parameter}` takes any one segment, the rest must be the same. */
type Fits<P extends string[], T extends string[]> = P extends [infer PH, ...infer PT extends string[]]
  ? T extends [infer TH, ...infer TT extends string[]]
    ? (TH extends `{${string}}` ? true : [PH] extends [TH] ? true : false) extends true ? Fits<PT, TT> : false
    : false
  : T extends [] ? true : false;
/** The document's route a filled path is: itself when it is one ("/api/v1/staff/applications/counts"
 * is counts, not the application `{id}`), else the one it fills in segment by segment. */
type TemplateOf<P extends string> = WithoutQuery<P> extends Template
  ? WithoutQuery<P>
  : { [T in Template]: Fits<Segments<WithoutQuery<P>>, Segments<T>> extends true ? T : never }[Template];

type Operation<T, M extends string> = T extends Template ? (Lowercase<M> extends keyof paths[T] ? paths[T][Lowercase<M>] : never) : never;
type Json<C> = C extends { content: { "application/json": infer B } } ? B : never;
type Success<R> = R extends { 200: infer A } ? A : R extends { 201: infer A } ? A : R extends { 202: infer A } ? A : never;

declare global {
  /** A route of the OpenAPI document, its parameters filled in. */
  type ApiRoute = Filled<Template>;
  /** A route of the document, with or without a query string. */
  type ApiPath = ApiRoute | `${ApiRoute}?${string}`;
  type ApiMethod = "GET" | "POST" | "PUT" | "DELETE";
  /** The JSON body a route and method take (a template of the document or a filled path). */
  type ApiBody<P extends string, M extends string> = Json<NonNullable<Operation<TemplateOf<P>, M> extends { requestBody?: infer B } ? B : never>>;
  /** The JSON answer of a route and method on success (null for 204). */
  type ApiAnswer<P extends string, M extends string> = Operation<TemplateOf<P>, M> extends { responses: infer R }
    ? [Json<Success<R>>] extends [never] ? null : Json<Success<R>>
    : never;
}
