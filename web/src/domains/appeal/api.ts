// Appeals closed loop (srdi.appeal.router, srdi.casework.router).
import { api, call, downloadResponse, rawFetch, type Schemas } from "@/api/client";
import { AppealActionLabels, AppealStatusLabels, RejectReasonLabels } from "@/generated/labels";
import { optionsOf } from "@/kit/labels";

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
// Labels come from the backend enums (srdi.appeal.enums), generated per enum.
export const STATUS_LABEL: Readonly<Record<string, string>> = AppealStatusLabels;
export const ACTION_LABEL: Readonly<Record<string, string>> = AppealActionLabels;
export const REJECT_REASONS: { value: string; label: string }[] = optionsOf(RejectReasonLabels);
/** The steps an enterprise sees, in order. */
export const JOURNEY = ["submitted", "accepted", "dispatched", "in_progress", "answered", "closed", "rated"];
export const percentText = (v: number | null | undefined) => (v == null ? "—" : `${(v * 100).toFixed(1)}%`);
