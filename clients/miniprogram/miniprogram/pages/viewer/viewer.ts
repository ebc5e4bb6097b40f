// 查看案卷: the dossier's documents (GET …/dossier, 正卷 only, as the grant allows) and a
// page at a time, fetched with wx.downloadFile and the bearer header: an <image> cannot
// send one, and a page is never served without it. Each page is stamped by the server with
// the reader's name, masked ID number and the time, and recorded in the 阅卷记录 (and the
// parties' 查阅记录) as a view. As on the web, the next page is fetched ahead once the
// current one is shown, so 下一页 shows at once; a page fetched ahead is recorded as viewed
// even if the reader never turns to it, hence only the one page right after the current
// one, of the same document: never two ahead, never across documents.

import { type Answer } from "../../api/client";
import { api, toSignIn, tokens } from "../../api/index";
import { loadPlace, savePlace } from "../../utils/place";
import { swipeDirection } from "../../utils/swipe";
import { errorText } from "../../utils/words";

type Dossier = Answer<"/api/v1/applications/{application_id}/dossier", "get">;
type Doc = Dossier["volumes"][number]["documents"][number];

const PAGE_ROUTE = "/api/v1/applications/{application_id}/dossier/documents/{document_id}/pages/{page}";

let docs: Doc[] = [];
let touch: { x: number; y: number; at: number } | null = null;
// the page fetched ahead: which one, and its download (a local file path)
let ahead: { docIndex: number; page: number; path: Promise<string> } | null = null;


Page({
  data: {
    id: "",
    deadline: "",
    docs: [] as string[],
    docLabels: [] as string[],
    docIndex: 0,
    page: 1,
    pageCount: 0,
    pagePath: "",
    loading: false,
    loaded: false,
    problem: "",
    resumed: "",
  },

  async onLoad(query: Record<string, string | undefined>) {
    if (!tokens.get()) return toSignIn();
    this.setData({ id: query.id || "" });
    ahead = null;
    try {
      const dossier = await api().get("/api/v1/applications/{application_id}/dossier", { path: { application_id: this.data.id } });
      docs = [];
      const labels: string[] = [];
      for (const volume of dossier.volumes) {
        for (const doc of volume.documents) {
          docs.push(doc);
          labels.push(`${volume.title} · ${doc.title}（${doc.page_count}页）`);
        }
      }
      this.setData({
        deadline: `${dossier.case_no}　有效截止日期 ${dossier.valid_until}，逾期需重新申请`,
        docs: docs.map((d) => String(d.id)),
        docLabels: labels,
        loaded: true,
      });
      if (!docs.length) return;
      const place = loadPlace(this.data.id);
      const at = place ? docs.findIndex((d) => String(d.id) === place.doc) : -1;
      if (place && at >= 0 && (at > 0 || place.page > 1)) {
        const page = Math.min(place.page, docs[at].page_count);
        this.setData({ resumed: `已从上次阅读的位置继续：《${docs[at].title}》第${page}页。` });
        await this.open(at, page);
      } else {
        await this.open(0, 1);
      }
    } catch (err) {
      this.setData({ problem: errorText(err), loaded: true });
    }
  },

  fromStart() {
    this.setData({ resumed: "" });
    this.open(0, 1);
  },

  onDoc(e: WechatMiniprogram.PickerChange) {
    this.open(Number(e.detail.value), 1);
  },

  prev() {
    this.open(this.data.docIndex, this.data.page - 1);
  },

  next() {
    this.open(this.data.docIndex, this.data.page + 1);
  },

  async open(docIndex: number, page: number) {
    const doc = docs[docIndex];
    if (!doc || page < 1 || page > doc.page_count || this.data.loading) return;
    this.setData({ docIndex, page, pageCount: doc.page_count, loading: true, problem: "" });
    const fetch = (n: number) => api().download(PAGE_ROUTE, { application_id: this.data.id, document_id: String(doc.id), page: String(n) });
    const fetched = ahead && ahead.docIndex === docIndex && ahead.page === page ? ahead.path : null;
    ahead = null;
    try {
      // fetched ahead: that download (asked again if it failed, so the reader sees why)
      const path = await (fetched ? fetched.catch(() => fetch(page)) : fetch(page));
      // a slow answer for a page the reader has already left is not shown
      if (this.data.docIndex === docIndex && this.data.page === page) {
        this.setData({ pagePath: path });
        savePlace(this.data.id, { doc: String(doc.id), page });
        if (page < doc.page_count) {
          const next = fetch(page + 1);
          next.catch(() => undefined); // a failure is met when the reader turns to it
          ahead = { docIndex, page: page + 1, path: next };
        }
      }
    } catch (err) {
      // 410 access_expired, 403 not_approved: say why instead of a broken picture
      this.setData({ problem: errorText(err), pagePath: "" });
    } finally {
      this.setData({ loading: false });
    }
  },

  onTouchStart(e: WechatMiniprogram.TouchEvent) {
    const t = e.touches[0];
    touch = t ? { x: t.clientX, y: t.clientY, at: e.timeStamp } : null;
  },

  onTouchEnd(e: WechatMiniprogram.TouchEvent) {
    const t = e.changedTouches[0];
    if (!touch || !t) return;
    const direction = swipeDirection(touch, { x: t.clientX, y: t.clientY, at: e.timeStamp });
    touch = null;
    if (direction) this.open(this.data.docIndex, this.data.page + direction);
  },

  zoom() {
    if (this.data.pagePath) wx.previewImage({ urls: [this.data.pagePath], showmenu: false });
  },
});
