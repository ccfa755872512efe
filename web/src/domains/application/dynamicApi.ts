// 动态管理 (srdi.application.dynamic_router): annual update tasks, major-change reports, revocation.
import { MajorChangeKindLabels } from "@/generated/labels";
import { optionsOf } from "@/kit/labels";
import { api, call, downloadResponse, rawFetch, type Schemas } from "@/api/client";

export type UpdateTask = Schemas["AnnualUpdateTaskOut"];
export type MajorChange = Schemas["MajorChangeOut"];
export type RevocationKind = Schemas["RevocationKindOut"];
export type Figures = Schemas["YearlyFigureIn"];

const task = (id: number) => ({ params: { path: { task_id: id } } });

export const listTasks = (q: { status?: string; year?: number } = {}) => call(api.GET("/api/v1/annual-updates", { params: { query: q } }));
export const openTasks = (year: number) => call(api.POST("/api/v1/annual-updates/generation", { body: { year } }));
export const submitTask = (id: number, figures: Figures, note: string | null) =>
  call(api.POST("/api/v1/annual-updates/{task_id}/submission", { ...task(id), body: { figures, note } }));
export const acknowledgeTask = (id: number, note: string | null) =>
  call(api.POST("/api/v1/annual-updates/{task_id}/acknowledgement", { ...task(id), body: { note } }));
export const listMajorChanges = () => call(api.GET("/api/v1/major-changes"));
export const reportMajorChange = (body: Schemas["MajorChangeIn"]) => call(api.POST("/api/v1/major-changes", { body }));
export const acknowledgeMajorChange = (id: number, note: string | null) =>
  call(api.POST("/api/v1/major-changes/{report_id}/acknowledgement", { params: { path: { report_id: id } }, body: { note } }));
export type ReReviewCandidate = Schemas["ReReviewCandidateOut"];
export const listReReviewCandidates = (page: number, pageSize: number) =>
  call(api.GET("/api/v1/re-review-candidates", { params: { query: { page, page_size: pageSize } } }));
export const RE_REVIEW_TAG: Record<string, "success" | "warning" | "danger"> = {
  applied: "success", not_applied: "warning", ineligible: "danger",
};
export const revocationKinds = () => call(api.GET("/api/v1/revocation-kinds"));
export const revoke = (recognitionId: number, body: Schemas["RevocationIn"]) =>
  call(api.POST("/api/v1/recognitions/{recognition_id}/revocation", { params: { path: { recognition_id: recognitionId } }, body }));

export const TASK_TAG: Record<string, "success" | "primary" | "warning" | "info" | "danger"> = {
  open: "primary", submitted: "warning", acknowledged: "success", overdue: "danger",
};
export const MAJOR_CHANGE_KINDS = optionsOf(MajorChangeKindLabels);

export async function downloadCertificate(enterpriseId: number, recognitionId: number): Promise<void> {
  const res = await rawFetch(`/api/v1/enterprises/${enterpriseId}/recognitions/${recognitionId}/certificate.pdf`);
  await downloadResponse(res, `认定证书-${recognitionId}.pdf`);
}
