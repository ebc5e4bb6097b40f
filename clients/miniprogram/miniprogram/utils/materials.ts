// 申请材料 and 实名认证's identity document: picked from the chat history
// (wx.chooseMessageFile: PDFs and pictures someone sent) or taken with the camera or the
// album (wx.chooseMedia), then sent one by one with wx.uploadFile, the progress shown.
// The server decides what it takes (PDF, JPEG or PNG by content, at most 20 MiB); the
// checks here only spare a person a long wait for a refusal.

import { api } from "../api/index";
import { errorText, LABELS } from "./words";

export const MAX_BYTES = 20 * 1024 * 1024;
const EXTENSIONS = ["pdf", "jpg", "jpeg", "png"];

export interface Picked {
  path: string;
  name: string;
  size: number;
}

export interface KindState {
  kind: string;
  label: string;
  required: boolean;
  items: Array<{ id: string; filename: string }>;
  uploading: boolean;
  progress: number;
  note: string;
}

export function kindStates(required: string[], optional: string[] = []): KindState[] {
  return [...required, ...optional].map((kind) => ({
    kind,
    label: LABELS.kind[kind] || kind,
    required: required.includes(kind),
    items: [],
    uploading: false,
    progress: 0,
    note: "",
  }));
}

export function uploadedIds(states: KindState[]): string[] {
  // (no flatMap: older WeChat clients' engines lack it, hence lib ES2018 in tsconfig.json)
  return states.reduce<string[]>((ids, s) => ids.concat(s.items.map((m) => m.id)), []);
}

export function uploadedKinds(states: KindState[]): string[] {
  return states.filter((s) => s.items.length).map((s) => s.kind);
}

/** Why a file is refused before sending, or null. */
export function fileProblem(file: Picked): string | null {
  const extension = (file.name.split(".").pop() || "").toLowerCase();
  if (file.name.includes(".") && !EXTENSIONS.includes(extension)) return `${file.name}：只能上传 PDF、JPG 或 PNG 文件`;
  if (file.size > MAX_BYTES) return `${file.name}：文件过大（不能超过20MB），请压缩或拆分后再上传`;
  return null;
}

export function pick(source: "chat" | "camera"): Promise<Picked[]> {
  return new Promise((resolve, reject) => {
    const cancelled = (e: { errMsg?: string }) => (e && e.errMsg && e.errMsg.includes("cancel") ? resolve([]) : reject(e));
    if (source === "chat") {
      wx.chooseMessageFile({
        count: 9,
        type: "file",
        extension: EXTENSIONS,
        success: (res) => resolve(res.tempFiles.map((f) => ({ path: f.path, name: f.name, size: f.size }))),
        fail: cancelled,
      });
    } else {
      wx.chooseMedia({
        count: 9,
        mediaType: ["image"],
        sourceType: ["camera", "album"],
        sizeType: ["compressed"],
        success: (res) =>
          resolve(
            res.tempFiles.map((f, i) => ({
              path: f.tempFilePath,
              name: `照片${i + 1}.${f.tempFilePath.split(".").pop() || "jpg"}`,
              size: f.size,
            })),
          ),
        fail: cancelled,
      });
    }
  });
}

/**
 * Picks and uploads files of `kind`, redrawing the kind's row (`update`) as it goes:
 * progress while sending, then the file in the list, or the refusal in plain words.
 */
export async function pickAndUpload(
  state: KindState,
  source: "chat" | "camera",
  update: (state: KindState) => void,
): Promise<KindState> {
  let now = { ...state, note: "" };
  let files: Picked[];
  try {
    files = await pick(source);
  } catch {
    now = { ...now, note: "无法选择文件，请在微信设置中允许访问相册、相机或聊天文件后重试。" };
    update(now);
    return now;
  }
  for (const file of files) {
    const problem = fileProblem(file);
    if (problem) {
      now = { ...now, note: problem };
      update(now);
      continue;
    }
    now = { ...now, uploading: true, progress: 0, note: `正在上传 ${file.name}…` };
    update(now);
    try {
      const material = await api().upload(file.path, state.kind, (progress) => {
        now = { ...now, progress };
        update(now);
      });
      now = { ...now, items: [...now.items, { id: String(material.id), filename: material.filename || file.name }], note: "已上传" };
    } catch (err) {
      now = { ...now, note: errorText(err) };
    }
    now = { ...now, uploading: false };
    update(now);
  }
  return now;
}

/** What a page with a list of material kinds keeps in its data. */
interface PickingPage {
  data: { materials: KindState[] };
  setData(data: Record<string, unknown>): void;
}

function chooseFor(page: PickingPage, e: WechatMiniprogram.TouchEvent, source: "chat" | "camera"): Promise<KindState> {
  const index = Number((e.currentTarget.dataset as { index: number }).index);
  return pickAndUpload(page.data.materials[index], source, (state: KindState) =>
    page.setData({ [`materials[${index}]`]: state, problem: "" }),
  );
}

/**
 * The 从聊天选择 / 拍照或相册 buttons of every page that uploads materials (申请, 补正,
 * 案件绑定, 实名认证), spread into its `Page({...})`: each button's `data-index` names
 * the row of `materials` it fills.
 */
export const materialPicking = {
  chooseChat(this: PickingPage, e: WechatMiniprogram.TouchEvent): Promise<KindState> {
    return chooseFor(this, e, "chat");
  },
  chooseCamera(this: PickingPage, e: WechatMiniprogram.TouchEvent): Promise<KindState> {
    return chooseFor(this, e, "camera");
  },
};
