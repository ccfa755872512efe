// Financing — 产融对接 (srdi.finance.router): whitelists, the credit scorecard, loan products, requests, figures.
import { api, call, downloadResponse, rawFetch, type Schemas } from "@/api/client";
import { OperatorLabels, RequestEventLabels, ShareFieldLabels, SizeClassLabels, TierLabels } from "@/generated/labels";

export type Whitelist = Schemas["WhitelistOut"];
export type Run = Schemas["WhitelistRunOut"];
export type RunDetail = Schemas["WhitelistRunDetailOut"];
export type Score = Schemas["CreditScoreOut"];
export type Scorecard = Schemas["ScorecardOut"];
export type Product = Schemas["LoanProductOut"];
export type ProductBody = Schemas["LoanProductIn"];
export type ProductField = Schemas["ProductFieldOut"];
export type Matches = Schemas["ProductMatchesOut"];
export type FinancingRequest = Schemas["FinancingRequestOut"];
export type RequestBody = Schemas["FinancingRequestIn"];
export type TransitionBody = Schemas["FinancingTransitionIn"];
export type Figure = Schemas["FinanceFigureOut"];
export type Bank = Schemas["BankOut"];

/** What a bank sees of an enterprise: only the parts the enterprise consented to share. */
export interface SharedEnterprise {
  name?: string;
  uscc?: string;
  region_code?: string;
  credit_score?: { total: number | null; grade_label: string; factors: { id: string; label: string; points: number | null; max_points: number }[] };
  financials?: { operating_revenue: string | null; net_profit: string | null; debt_ratio: string | null };
  recognitions?: { tier: string; level: string; valid_until: string }[];
}
export interface PolicyLink {
  kind: "interest_subsidy" | "guarantee_fee_cap" | "risk_compensation";
  policy_id: string;
  title: string;
  citation: string;
  status: string;
  status_label: string;
  reasons: string[];
  basis: string;
  amount: string | null;
  amount_label: string;
  amount_note: string;
  interest_per_year: string | null;
  needs_verification: boolean;
  unverified: string[];
}
export const sharedOf = (r: FinancingRequest): SharedEnterprise | null => (r.enterprise as SharedEnterprise | null) ?? null;
export const TIER_LABEL: Readonly<Record<string, string>> = TierLabels;

export const me = () => call(api.GET("/api/v1/finance/me"));
export const banks = () => call(api.GET("/api/v1/finance/banks"));
export const whitelists = () => call(api.GET("/api/v1/finance/whitelists"));
export const generateRun = (key: string, period?: string) =>
  call(api.POST("/api/v1/finance/whitelists/{list_key}/runs", { params: { path: { list_key: key } }, body: { period } }));
export const getRun = (id: number) =>
  call(api.GET("/api/v1/finance/whitelist-runs/{run_id}", { params: { path: { run_id: id } } }));
export const approveRun = (id: number) =>
  call(api.POST("/api/v1/finance/whitelist-runs/{run_id}/approval", { params: { path: { run_id: id } } }));
export async function downloadRun(id: number): Promise<void> {
  const r = await rawFetch(`/api/v1/finance/whitelist-runs/${id}/export`);
  await downloadResponse(r, `whitelist-${id}.xlsx`);
}
export const scorecard = () => call(api.GET("/api/v1/finance/scorecard"));
export const creditScore = (enterpriseId: number) =>
  call(api.GET("/api/v1/finance/enterprises/{enterprise_id}/credit-score", { params: { path: { enterprise_id: enterpriseId } } }));
export const productMatches = (enterpriseId: number) =>
  call(api.GET("/api/v1/finance/enterprises/{enterprise_id}/product-matches", { params: { path: { enterprise_id: enterpriseId } } }));
export const productFields = () => call(api.GET("/api/v1/finance/product-fields"));
export const products = () => call(api.GET("/api/v1/finance/products"));
export const createProduct = (body: ProductBody) => call(api.POST("/api/v1/finance/products", { body }));
export const reviewProduct = (id: number, decision: "publish" | "reject", note = "") =>
  call(api.POST("/api/v1/finance/products/{product_id}/review", { params: { path: { product_id: id } }, body: { decision, note } }));
export const requests = (query: { page: number; page_size: number; pending?: boolean } = { page: 1, page_size: 20 }) =>
  call(api.GET("/api/v1/finance/requests", { params: { query } }));
export const sendRequest = (body: RequestBody) => call(api.POST("/api/v1/finance/requests", { body }));
export const transition = (id: number, body: TransitionBody) =>
  call(api.POST("/api/v1/finance/requests/{request_id}/transitions", { params: { path: { request_id: id } }, body }));
export const figures = (by: "bank" | "district" | "tier") => call(api.GET("/api/v1/finance/figures", { params: { query: { by } } }));

export const STATUS_TAG: Record<string, "success" | "primary" | "warning" | "info" | "danger"> = {
  submitted: "warning", accepted: "primary", info_requested: "warning", approved: "success", declined: "danger",
  withdrawn: "info", draft: "warning", pending_review: "warning", published: "success", rejected: "danger",
};
/** The actions on a request and the steps of its timeline (srdi.finance.enums.RequestEvent). */
export const ACTION_LABEL: Readonly<Record<string, string>> = RequestEventLabels;
/** Bank actions allowed from each status (the server decides; this only offers buttons). */
export const BANK_NEXT: Record<string, string[]> = {
  submitted: ["accept", "ask_info", "decline"],
  accepted: ["ask_info", "approve", "decline"],
  info_requested: ["decline"],
};
export const ENTERPRISE_NEXT: Record<string, string[]> = {
  submitted: ["withdraw"], accepted: ["withdraw"], info_requested: ["supply_info", "withdraw"],
};
export const SHARE_LABEL: Readonly<Record<string, string>> = ShareFieldLabels;
export const OP_LABEL: Readonly<Record<string, string>> = OperatorLabels;
export const SIZE_LABEL: Readonly<Record<string, string>> = SizeClassLabels;
