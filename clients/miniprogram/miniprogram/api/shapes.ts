// The answers the pages read, as the contract (API.md) spells them. They stand in only
// while the OpenAPI document says nothing about an answer: once a route's answer has a
// schema there, `make client-types` brings it into typings/api.d.ts and the client uses
// that type instead (client.ts, Answer), so a page reading a field the server does not
// promise stops compiling.

export type Status = "pending" | "approved" | "rejected" | "returned" | "withdrawn" | "expired" | "revoked";
export type Role = "party" | "lawyer" | "clerk" | "archivist" | "admin";
export type MaterialKind = "license" | "firm_letter" | "authorization" | "party_id" | "identity" | "other";
export type Relation = "party" | "lawyer_of_record" | "lawyer_bound" | "none";

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface User {
  id: number;
  role: Role;
  name: string;
  phone: string;
  id_number?: string | null;
  license_no?: string | null;
  law_firm?: string | null;
  court?: string | null;
  verified?: boolean;
  verification?: null | { id: number | string; status: "pending" | "approved" | "rejected"; explanation?: string | null };
}

export interface Login {
  token: string;
  expires_at: string;
  user: User;
}

export interface Material {
  id: string;
  kind: MaterialKind;
  filename: string;
  size?: number;
  content_type?: string;
}

export interface Review {
  reviewer: string | null;
  reviewed_at: string | null;
  opinion: "approve" | "reject" | "return";
  explanation: string | null;
  mode: "online" | "onsite" | null;
}

export interface OnlineReading {
  mode: "online";
  valid_until: string;
  print?: boolean;
  documents?: Array<number | string> | null;
  document_titles?: string[] | null;
}

export interface OnsiteReading {
  mode: "onsite";
  start_date: string;
  end_date: string;
  notice: string | null;
  attended: boolean | null;
  borrowed_at: string | null;
  returned_at: string | null;
  booking?: null | { date: string; start: string; end: string };
}

export interface Application {
  id: number | string;
  status: Status;
  case_no: string;
  court: string;
  applicant: { name: string } | null;
  applied_at: string;
  scope: string;
  reason: string;
  materials: Material[];
  review: Review | null;
  reading: OnlineReading | OnsiteReading | null;
  revocation?: null | { reason: string };
}

export interface CaseSummary {
  case_no: string;
  court: string;
  cause?: string | null;
  status: "in_trial" | "archived";
  relation: Relation;
  can_apply?: boolean;
  needs_binding?: boolean;
}

export interface DossierDocument {
  id: number | string;
  title: string;
  page_count: number;
}

export interface Dossier {
  case_no: string;
  valid_until: string;
  print?: boolean;
  volumes: Array<{ title: string; documents: DossierDocument[] }>;
}

export interface Link {
  url: string;
  expires_at: string;
}

export interface Message {
  id: number | string;
  at: string;
  title: string;
  body: string;
  application_id?: number | string | null;
  read: boolean;
}

export interface Binding {
  id: number | string;
  case_no: string;
  party_name: string;
  status: "pending" | "approved" | "rejected" | "revoked";
  materials?: Material[];
  decided_at?: string | null;
  explanation?: string | null;
}

export interface AccessLogEntry {
  at: string;
  actor: string;
  action: string;
  document_id?: number | string;
  document_title?: string;
  page?: number;
}

export interface OnsiteSlots {
  items: Array<{ date: string; start: string; end: string; free: number }>;
  booking?: null | { date: string; start: string; end: string };
}

export interface CaseRead {
  date: string;
  reader: { name: string; role: string } | null;
  documents: string[];
  pages: number;
  prints: number;
}

export interface Verification {
  id: number | string;
  status: "pending" | "approved" | "rejected";
}

// "METHOD path" of the generated `paths` → what the answer holds, per API.md.
export interface Expected {
  "POST /api/v1/auth/login": Login;
  "POST /api/v1/auth/register": User;
  "POST /api/v1/auth/sms-codes": Record<string, never>;
  "POST /api/v1/auth/logout": null;
  "POST /api/v1/auth/password-reset": null;
  "GET /api/v1/me": User;
  "POST /api/v1/me/verification": Verification;
  "POST /api/v1/uploads": Material;
  "GET /api/v1/my/cases": Page<CaseSummary>;
  "GET /api/v1/cases/lookup": CaseSummary;
  "GET /api/v1/applications": Page<Application>;
  "POST /api/v1/applications": Application;
  "GET /api/v1/applications/{application_id}": Application;
  "POST /api/v1/applications/{application_id}/withdraw": Application;
  "POST /api/v1/applications/{application_id}/reapply": Application;
  "GET /api/v1/applications/{application_id}/dossier": Dossier;
  "POST /api/v1/applications/{application_id}/dossier/links": Link;
  "GET /api/v1/applications/{application_id}/access-log": Page<AccessLogEntry>;
  "GET /api/v1/applications/{application_id}/onsite-slots": OnsiteSlots;
  "POST /api/v1/applications/{application_id}/onsite-booking": { date: string; start: string; end: string };
  "GET /api/v1/bindings": Page<Binding>;
  "POST /api/v1/bindings": Binding;
  "GET /api/v1/my/cases/{case_no}/reads": Page<CaseRead>;
  "POST /api/v1/me/password": null;
  "GET /api/v1/messages": Page<Message>;
  "POST /api/v1/messages/{id}/read": null;
}
