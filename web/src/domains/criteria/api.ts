// Tier evaluation (srdi.criteria.router): self-assessment with trace and gap, batch runs, seed pool, 有进有出.
import { api, call, type Schemas } from "@/api/client";
import { OutcomeLabels, PurposeLabels } from "@/generated/labels";
import { optionsOf } from "@/kit/labels";

export type Assessment = Schemas["AssessmentOut"];
export type TierAssessment = Schemas["TierAssessment"];
export type BatchRun = Schemas["BatchRunOut"];
export type BatchResult = Schemas["BatchResultOut"];
export type SeedPoolEntry = Schemas["SeedPoolEntry"];
export type DynamicManagement = Schemas["DynamicManagementOut"];
export type Purpose = "new_application" | "re_review";

/** A result's trace (TierAssessment.result), one line per condition, direct route or scored indicator. */
export type TraceResult = Schemas["TraceResult"];
export type TraceItem = Schemas["TraceItem"];
export type Citation = Schemas["Citation"];
export type DerivedFact = Schemas["DerivedFact"];

export interface FunnelRow {
  tier: string;
  label: string;
  pass: number;
  fail: number;
  unknown: number;
  holding: number;
}

export interface RunSummary {
  funnel?: FunnelRow[];
  by_region?: ({ region_code: string; region_name: string } & Record<string, number | string>)[];
  data_errors?: number;
}

export const PURPOSES: { value: Purpose; label: string }[] = optionsOf(PurposeLabels);
export const STATUS_LABELS: Readonly<Record<string, string>> = OutcomeLabels;
export const STATUS_TAGS: Record<string, "success" | "danger" | "warning"> = { pass: "success", fail: "danger", unknown: "warning" };

export const selfAssess = (enterpriseId: number, as_of: string, purpose: Purpose) =>
  call(
    api.POST("/api/v1/enterprises/{enterprise_id}/evaluations", {
      params: { path: { enterprise_id: enterpriseId } },
      body: { as_of, purpose },
    }),
  );

export const startBatch = (as_of: string, purpose: Purpose, region?: string) =>
  call(api.POST("/api/v1/batch-runs", { body: { as_of, purpose, region: region || null } }));
export const listRuns = (page = 1, page_size = 10) => call(api.GET("/api/v1/batch-runs", { params: { query: { page, page_size } } }));
export const getRun = (id: number) => call(api.GET("/api/v1/batch-runs/{run_id}", { params: { path: { run_id: id } } }));
export const getResults = (id: number, query: { tier?: string; status?: "pass" | "fail" | "unknown"; page: number; page_size: number }) =>
  call(api.GET("/api/v1/batch-runs/{run_id}/results", { params: { path: { run_id: id }, query } }));
export const getSeedPool = (id: number, tier: string) =>
  call(api.GET("/api/v1/batch-runs/{run_id}/seed-pool", { params: { path: { run_id: id }, query: { tier, limit: 20 } } }));
export type DynamicCategory = Schemas["DynamicCategory"];
/** One page of one 动态管理 list (or of each list without ``category``), with every list's total. */
export const getDynamic = (id: number, query: { category?: DynamicCategory; page?: number; page_size?: number } = {}) =>
  call(api.GET("/api/v1/batch-runs/{run_id}/dynamic-management", { params: { path: { run_id: id }, query } }));
