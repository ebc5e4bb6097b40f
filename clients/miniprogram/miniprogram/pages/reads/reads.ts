// 谁查阅了我的案件 (GET /api/v1/my/cases/{case_no}/reads): for a party, who else read the
// case's dossier through a reading grant, newest first.

import { api, toSignIn, tokens } from "../../api/index";
import { showError } from "../../utils/ui";
import { LABELS } from "../../utils/words";

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

  async more() {
    this.setData({ loading: true });
    try {
      const page = await api().get("/api/v1/my/cases/{case_no}/reads", {
        path: { case_no: this.data.caseNo },
        query: { limit: 20, cursor: this.data.cursor || undefined },
      });
      const offset = this.data.items.length;
      const rows = page.items.map((r, i) => ({
        key: String(offset + i),
        date: r.date,
        who: r.reader ? `${r.reader.name}（${LABELS.role[r.reader.role ?? ""] || r.reader.role || ""}）` : "—",
        documents: r.documents && r.documents.length ? r.documents.map((t) => `《${t}》`).join("") : "—",
        pages: r.pages,
        prints: r.prints,
      }));
      this.setData({ items: [...this.data.items, ...rows], cursor: page.next_cursor, loaded: true });
    } catch (err) {
      showError(err);
    } finally {
      this.setData({ loading: false });
    }
  },
});
