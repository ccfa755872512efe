// Applications and review (srdi.application.router). Evidence uploads and downloads use rawFetch: multipart
// bodies and file responses are outside what the generated client types.
import { api, call, downloadResponse, rawFetch, type Schemas } from "@/api/client";
import { ReviewActionLabels } from "@/generated/labels";

export type Batch = Schemas["ApplicationBatchOut"];
export type Application = Schemas["ApplicationOut"];
export type ApplicationDetail = Schemas["ApplicationDetailOut"];
export type BlindAssignment = Schemas["BlindAssignmentOut"];
export type ComparisonRow = Schemas["ComparisonRow"];
export type Expert = Schemas["ExpertOut"];
export type PublicityRow = Schemas["PublicityRowOut"];
export type ReviewBody = Schemas["ReviewIn"];

const path = (id: number) => ({ params: { path: { application_id: id } } });

export const listBatches = () => call(api.GET("/api/v1/application-batches"));
export const createBatch = (body: Schemas["ApplicationBatchIn"]) => call(api.POST("/api/v1/application-batches", { body }));
export const publicity = (id: number) =>
  call(api.GET("/api/v1/application-batches/{batch_id}/publicity", { params: { path: { batch_id: id } } }));
export const announce = (id: number, document_no: string | null) =>
  call(api.POST("/api/v1/application-batches/{batch_id}/announcement", { params: { path: { batch_id: id } }, body: { document_no } }));
export const listApplications = (q: { status?: Schemas["ApplicationStatus"]; awaiting_me?: boolean; page?: number; page_size?: number } = {}) =>
  call(api.GET("/api/v1/applications", { params: { query: q } }));
export const createApplication = (batch_id: number) => call(api.POST("/api/v1/applications", { body: { batch_id } }));
export const getApplication = (id: number) => call(api.GET("/api/v1/applications/{application_id}", path(id)));
export const updateApplication = (id: number, body: Schemas["ApplicationUpdateIn"]) =>
  call(api.PATCH("/api/v1/applications/{application_id}", { ...path(id), body }));
export const submitApplication = (id: number) => call(api.POST("/api/v1/applications/{application_id}/submission", path(id)));
export const review = (id: number, body: ReviewBody) =>
  call(api.POST("/api/v1/applications/{application_id}/reviews", { ...path(id), body }));
export const comparison = (id: number) => call(api.GET("/api/v1/applications/{application_id}/comparison", path(id)));
export const assignExperts = (id: number, body: Schemas["AssignIn"]) =>
  call(api.POST("/api/v1/applications/{application_id}/expert-assignments", { ...path(id), body }));
export const addObjection = (id: number, content: string) =>
  call(api.POST("/api/v1/applications/{application_id}/objections", { ...path(id), body: { content } }));
export const answerObjection = (id: number, upheld: boolean, answer: string) =>
  call(api.POST("/api/v1/application-objections/{objection_id}/answer", { params: { path: { objection_id: id } }, body: { upheld, answer } }));
export const listExperts = () => call(api.GET("/api/v1/experts"));
export const createExpert = (body: Schemas["ExpertIn"]) => call(api.POST("/api/v1/experts", { body }));
// The account's own inbox (an expert's scoring-deadline reminders; srdi.application.reminders).
export const myNotifications = () => call(api.GET("/api/v1/notifications/mine"));
export const myAssignments = () => call(api.GET("/api/v1/expert/assignments"));
export const submitScores = (id: number, scores: Record<string, number>, comment: string | null) =>
  call(api.PUT("/api/v1/expert/assignments/{assignment_id}/scores", { params: { path: { assignment_id: id } }, body: { scores, comment } }));

export async function uploadEvidence(applicationId: number, itemId: string, file: File): Promise<void> {
  const form = new FormData();
  form.append("application_id", String(applicationId));
  form.append("item_id", itemId);
  form.append("file", file, file.name);
  await rawFetch("/api/v1/evidence-files", { method: "POST", body: form });
}

export async function downloadEvidence(fileId: number, name: string): Promise<void> {
  await downloadResponse(await rawFetch(`/api/v1/evidence-files/${fileId}`), name);
}

export const STATUS_TAG: Record<string, "success" | "primary" | "warning" | "info" | "danger"> = {
  draft: "info", in_review: "primary", return_for_correction: "warning", publicity: "success", recognition: "success",
  rejected: "danger",
};
export const ACTION_LABEL: Readonly<Record<string, string>> = ReviewActionLabels;
