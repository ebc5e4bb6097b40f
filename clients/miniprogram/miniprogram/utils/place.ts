// 继续阅读: where the reader last was in an application's dossier, so 查看案卷 opens there
// next time. Only a document id and a page number are kept, under the application's id: an
// application opens only for its owner, so another account on the same phone never sees
// someone else's place. Storage refused or full: reading goes on from the first page.

export interface Place {
  doc: string;
  page: number;
}

const key = (applicationId: string) => `court.reading-place:${applicationId}`;

export function loadPlace(applicationId: string): Place | null {
  try {
    const place = wx.getStorageSync(key(applicationId)) as Place | "";
    return place && typeof place.doc === "string" && Number.isInteger(place.page) ? place : null;
  } catch {
    return null;
  }
}

export function savePlace(applicationId: string, place: Place): void {
  try {
    wx.setStorageSync(key(applicationId), place);
  } catch {
    // the place is just not remembered
  }
}
