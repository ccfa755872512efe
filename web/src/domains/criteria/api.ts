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

/** One line of a result's trace (TierAssessment.result.items): a condition, direct route or scored indicator. */
export interface TraceItem {
  id: string;
  kind: "condition" | "direct_route" | "indicator" | string;
  label: string;
  value: boolean | number | null;
  rule: string;
  band: string | null;
  band_label: string;
  max_points: number | null;
  category: string | null;
  edge: string;
  inputs: Record<string, unknown>;
  shown: Record<string, string>;
  unknown_inputs: string[];
  citation?: Citation;
}

export interface Citation {
  rule_file: string;
  title: string;
  instrument: string;
  article: string | null;
  url: string | null;
  verification: string;
  needs_verification: boolean;
  note: string;
}

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
export const listRuns = () => call(api.GET("/api/v1/batch-runs"));
export const getRun = (id: number) => call(api.GET("/api/v1/batch-runs/{run_id}", { params: { path: { run_id: id } } }));
export const getResults = (id: number, query: { tier?: string; status?: "pass" | "fail" | "unknown"; page: number; page_size: number }) =>
  call(api.GET("/api/v1/batch-runs/{run_id}/results", { params: { path: { run_id: id }, query } }));
export const getSeedPool = (id: number, tier: string) =>
  call(api.GET("/api/v1/batch-runs/{run_id}/seed-pool", { params: { path: { run_id: id }, query: { tier, limit: 20 } } }));
export const getDynamic = (id: number) =>
  call(api.GET("/api/v1/batch-runs/{run_id}/dynamic-management", { params: { path: { run_id: id } } }));
