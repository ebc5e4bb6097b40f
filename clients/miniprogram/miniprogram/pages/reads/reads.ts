// 谁查阅了我的案件 (GET /api/v1/my/cases/{case_no}/reads): for a party, who else read the
// case's dossier through a reading grant, newest first.

import { type Answer } from "../../api/client";
import { api, toSignIn, tokens } from "../../api/index";
import { loadMore, PAGE_SIZE } from "../../utils/paged";
import { LABELS } from "../../utils/words";

type Item = Answer<"/api/v1/my/cases/{case_no}/reads", "get">["items"][number];

interface Row {
  key: string;
  date: string;
  who: string;
  documents: string;
  pages: number;
  prints: number;
}

Page({
  data: { caseNo: "", items: [] as Row[], cursor: null as string | null, loading: false, loaded: false },

  onLoad(query: Record<string, string | undefined>) {
    if (!tokens.get()) return toSignIn();
    this.setData({ caseNo: decodeURIComponent(query.case_no || "") });
    this.more();
  },

  more() {
    return loadMore(this, {
      fetch: (cursor) =>
        api().get("/api/v1/my/cases/{case_no}/reads", { path: { case_no: this.data.caseNo }, query: { limit: PAGE_SIZE, cursor } }),
      row: (r: Item, i): Row => ({
        key: String(i),
        date: r.date,
        who: r.reader ? `${r.reader.name}（${LABELS.role[r.reader.role ?? ""] || r.reader.role || ""}）` : "—",
        documents: r.documents && r.documents.length ? r.documents.map((t) => `《${t}》`).join("") : "—",
        pages: r.pages,
        prints: r.prints,
      }),
    });
  },
});
