// Appeals closed loop (srdi.appeal.router, srdi.casework.router).
import { api, call, downloadResponse, rawFetch, type Schemas } from "@/api/client";

export type Appeal = Schemas["AppealOut"];
export type AppealDetail = Schemas["AppealDetailOut"];
export type AppealEvent = Schemas["AppealEventOut"];
export type Suggestion = Schemas["SuggestionOut"];
export type Department = Schemas["DepartmentOut"];
export type KpiRow = Schemas["KpiRowOut"];
export type Worklist = Schemas["WorklistOut"];
export type TransitionBody = Schemas["TransitionIn"];
export type Attachment = Schemas["AttachmentOut"];

/** What the server accepts (it sniffs the bytes again): PDF, PNG, JPEG up to 10 MB. */
export const ATTACHMENT_ACCEPT = ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg";
export const ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
export function attachmentProblem(f: File): string | null {
  if (!/\.(pdf|png|jpe?g)$/i.test(f.name)) return `“${f.name}”不是 PDF、PNG 或 JPEG 文件`;
  if (f.size > ATTACHMENT_MAX_BYTES) return `“${f.name}”超过 10 MB，请压缩或拆分后上传`;
  if (f.size === 0) return `“${f.name}”是空文件`;
  return null;
}
export async function uploadAttachment(appealId: number, file: File): Promise<Attachment> {
  const form = new FormData();
  form.append("appeal_id", String(appealId));
  form.append("file", file, file.name);
  const r = await rawFetch("/api/v1/appeal-attachments", { method: "POST", body: form });
  return (await r.json()) as Attachment;
}
export async function downloadAttachment(a: Attachment): Promise<void> {
  await downloadResponse(await rawFetch(a.download_url), a.filename);
}
/** The similar open appeal a filing was refused for (409 duplicate_appeal). */
export interface DuplicateInfo {
  existing_id: number;
  existing_title: string;
  existing_url: string;
  can_override: boolean;
}


export const listAppeals = (q: { status?: Schemas["AppealStatus"][]; overdue?: boolean; page?: number; page_size?: number } = {}) =>
  call(api.GET("/api/v1/appeals", { params: { query: q } }));
export const getAppeal = (id: number) =>
  call(api.GET("/api/v1/appeals/{appeal_id}", { params: { path: { appeal_id: id } } }));
export const fileAppeal = (body: Schemas["AppealIn"]) => call(api.POST("/api/v1/appeals", { body }));
export const transition = (id: number, body: TransitionBody) =>
  call(api.POST("/api/v1/appeals/{appeal_id}/transitions", { params: { path: { appeal_id: id } }, body }));
export const suggest = (text: string, region_code?: string) =>
  call(api.POST("/api/v1/appeals/route-suggestions", { body: { text, region_code, top_k: 3 } }));
export const listDepartments = () => call(api.GET("/api/v1/appeal-departments"));
export const listCategories = () => call(api.GET("/api/v1/appeal-categories"));
export type DepartmentBody = Schemas["DepartmentIn"];
export const saveDepartment = (key: string, body: DepartmentBody) =>
  call(api.PUT("/api/v1/appeal-departments/{department_key}", { params: { path: { department_key: key } }, body }));
export const suggestedPolicies = (id: number) =>
  call(api.GET("/api/v1/appeals/{appeal_id}/suggested-policies", { params: { path: { appeal_id: id } } }));
export const kpis = (dimension: "department" | "district" | "category" | "month") =>
  call(api.GET("/api/v1/appeal-kpis", { params: { query: { dimension } } }));
export const worklist = () => call(api.GET("/api/v1/casework/worklist"));
export const notices = () => call(api.GET("/api/v1/appeal-notices"));

export const STATUS_TAG: Record<string, "success" | "primary" | "warning" | "info" | "danger"> = {
  submitted: "warning", accepted: "primary", dispatched: "primary", in_progress: "primary", answered: "success",
  closed: "success", rated: "success", rejected: "info",
};
export const STATUS_LABEL: Record<string, string> = {
  submitted: "已提交", accepted: "已受理", dispatched: "已转派", in_progress: "办理中", answered: "已答复",
  closed: "已办结", rated: "已评价", rejected: "不予受理",
};
export const ACTION_LABEL: Record<string, string> = {
  accept: "受理", reject: "不予受理", dispatch: "转派", start: "开始办理", return: "退回", answer: "答复",
  close: "办结", rate: "评价", redo: "重办",
};
export const REJECT_REASONS: { value: string; label: string }[] = [
  { value: "outside_jurisdiction", label: "不属于本平台受理范围或本级政府职责" },
  { value: "litigation", label: "已进入或应通过诉讼、仲裁、行政复议等法定途径解决" },
  { value: "petition", label: "属于信访事项，应按信访渠道办理" },
  { value: "secrets_privacy", label: "涉及国家秘密、商业秘密或个人隐私" },
  { value: "abusive", label: "含有侮辱、诽谤、威胁等内容或无实质诉求" },
  { value: "repeated", label: "同一诉求正在办理中重复提交" },
  { value: "other", label: "其他不予受理的情形" },
];
/** The steps an enterprise sees, in order. */
export const JOURNEY = ["submitted", "accepted", "dispatched", "in_progress", "answered", "closed", "rated"];
export const percentText = (v: number | null | undefined) => (v == null ? "—" : `${(v * 100).toFixed(1)}%`);
