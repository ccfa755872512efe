// 免申即享 runs, grants, disbursement and contests (srdi.auto_grant.router).
import { api, call, type Schemas } from "@/api/client";
import { GrantStatusLabels } from "@/generated/labels";

export type Run = Schemas["RunOut"];
export type GrantRow = Schemas["GrantOut"];
export type GrantDetail = Schemas["GrantDetailOut"];
export type Contest = Schemas["ContestOut"];
export type Batch = Schemas["BatchOut"];

export type PageQuery = { page: number; page_size: number };
export const listRuns = (query: PageQuery) => call(api.GET("/api/v1/grant-runs", { params: { query } }));
export const startRun = (policy_key: string, as_of?: string) => call(api.POST("/api/v1/grant-runs", { body: { policy_key, as_of } }));
export const getRun = (id: number) => call(api.GET("/api/v1/grant-runs/{run_id}", { params: { path: { run_id: id } } }));
export const runGrants = (id: number, query: PageQuery) =>
  call(api.GET("/api/v1/grant-runs/{run_id}/grants", { params: { path: { run_id: id }, query } }));
export const enterpriseGrants = (enterpriseId: number) =>
  call(api.GET("/api/v1/enterprises/{enterprise_id}/grants", { params: { path: { enterprise_id: enterpriseId } } }));
export const consent = (grantId: number, body: Schemas["ConsentIn"]) =>
  call(api.POST("/api/v1/grants/{grant_id}/consent", { params: { path: { grant_id: grantId } }, body }));
export const decline = (grantId: number, reason: string) =>
  call(api.POST("/api/v1/grants/{grant_id}/decline", { params: { path: { grant_id: grantId } }, body: { reason } }));
export const fileContest = (enterpriseId: number, body: Schemas["ContestIn"]) =>
  call(api.POST("/api/v1/enterprises/{enterprise_id}/contests", { params: { path: { enterprise_id: enterpriseId } }, body }));
export const listContests = (query: PageQuery) => call(api.GET("/api/v1/contests", { params: { query } }));
export const resolveContest = (id: number, upheld: boolean, response: string) =>
  call(api.POST("/api/v1/contests/{contest_id}/resolve", { params: { path: { contest_id: id } }, body: { upheld, response } }));
export const disburse = (policy_key: string, period: string) => call(api.POST("/api/v1/disbursement-batches", { body: { policy_key, period } }));
export const listBatches = (query: PageQuery) => call(api.GET("/api/v1/disbursement-batches", { params: { query } }));
export const publishGrants = (policy_key: string, period: string) => call(api.POST("/api/v1/grant-publicity", { body: { policy_key, period } }));
export const overdueGrants = () => call(api.GET("/api/v1/overdue-grants"));
export const exportUrl = (batchId: number) => `/api/v1/disbursement-batches/${batchId}/export.csv`;

export const GRANT_TAG: Record<string, "success" | "primary" | "warning" | "info" | "danger"> = {
  matched: "warning", waitlisted: "info", consented: "primary", disbursed: "success", published: "success",
  declined: "info", withdrawn: "danger", pending_verification: "danger",
};
export const GRANT_LABEL: Readonly<Record<string, string>> = GrantStatusLabels;
/** {"matched": 20, "waitlisted": 142} → "待企业确认 20，候补 142". */
export const byStatusText = (counts: Record<string, unknown> | undefined | null): string =>
  counts ? Object.entries(counts).map(([k, v]) => `${GRANT_LABEL[k] ?? k} ${String(v)}`).join("，") : "—";
