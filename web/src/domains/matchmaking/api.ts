// Matchmaking 供需对接 / 揭榜挂帅 (srdi.matchmaking.router).
import { api, call, type Schemas } from "@/api/client";
import { NeedActionLabels } from "@/generated/labels";

export type Need = Schemas["NeedOut"];
export type NeedDetail = Schemas["NeedDetailOut"];
export type NeedBody = Schemas["NeedIn"];
export type Match = Schemas["NeedMatchOut"];
export type Bid = Schemas["BidOut"];
export type Capability = Schemas["CapabilityOut"];
export type Recommendation = Schemas["RecommendationOut"];

type View = "mine" | "review" | "open";

export const listNeeds = (view: View, status?: "pending_review" | "rejected" | "open" | "taken" | "in_progress" | "delivered" | "failed" | "withdrawn", page = 1, page_size = 20) =>
  call(api.GET("/api/v1/match-needs", { params: { query: { view, status, page, page_size } } }));
export const getNeed = (id: number) => call(api.GET("/api/v1/match-needs/{need_id}", { params: { path: { need_id: id } } }));
export const postNeed = (body: NeedBody) => call(api.POST("/api/v1/match-needs", { body }));
export const needAction = (id: number, action: string, note?: string) =>
  call(api.POST("/api/v1/match-needs/{need_id}/transitions", { params: { path: { need_id: id } }, body: { action, note } }));
export const needMatches = (id: number) => call(api.GET("/api/v1/match-needs/{need_id}/matches", { params: { path: { need_id: id } } }));
export const needBids = (id: number) => call(api.GET("/api/v1/match-needs/{need_id}/bids", { params: { path: { need_id: id } } }));
export const placeBid = (id: number, body: Schemas["BidIn"]) =>
  call(api.POST("/api/v1/match-needs/{need_id}/bids", { params: { path: { need_id: id } }, body }));
export const bidAction = (id: number, action: string, note?: string) =>
  call(api.POST("/api/v1/match-bids/{bid_id}/transitions", { params: { path: { bid_id: id } }, body: { action, note } }));
export const myBids = (page = 1, page_size = 20) => call(api.GET("/api/v1/match-bids", { params: { query: { page, page_size } } }));
export const addMilestone = (id: number, title: string, due_date?: string) =>
  call(api.POST("/api/v1/match-needs/{need_id}/milestones", { params: { path: { need_id: id } }, body: { title, due_date } }));
export const milestoneDone = (id: number, note?: string) =>
  call(api.POST("/api/v1/match-milestones/{milestone_id}/done", { params: { path: { milestone_id: id } }, body: { note } }));
export const recommendations = () => call(api.GET("/api/v1/match-recommendations"));
export const myCapabilities = () => call(api.GET("/api/v1/match-capabilities"));
export const capabilityDraft = () => call(api.GET("/api/v1/match-capabilities/draft"));
export const addCapability = (body: Schemas["CapabilityIn"]) => call(api.POST("/api/v1/match-capabilities", { body }));
export const deleteCapability = (id: number) =>
  call(api.DELETE("/api/v1/match-capabilities/{capability_id}", { params: { path: { capability_id: id } } }));


export const NEED_STATUS_TAG: Record<string, "success" | "primary" | "warning" | "info" | "danger"> = {
  pending_review: "warning", rejected: "info", open: "primary", taken: "primary", in_progress: "primary",
  delivered: "success", failed: "danger", withdrawn: "info",
};
export const ACTION_LABEL: Readonly<Record<string, string>> = NeedActionLabels;
// not-labels: the prompt of the note each action asks for
export const ACTION_NOTE: Record<string, string> = {
  approve: "审核意见（可选）", reject: "不通过原因（必填）", withdraw: "撤回原因（可选）", deliver: "交付说明（必填）",
  fail: "未成功原因（必填）",
};
export const BID_STATUS_TAG: Record<string, "success" | "primary" | "warning" | "info" | "danger"> = {
  submitted: "warning", shortlisted: "primary", selected: "success", declined: "info", withdrawn: "info",
};
export const recordContract = (id: number, amount_yuan: string) =>
  call(api.POST("/api/v1/match-needs/{need_id}/contract", { params: { path: { need_id: id } }, body: { amount_yuan } }));
export const confirmContract = (id: number) =>
  call(api.POST("/api/v1/match-needs/{need_id}/contract/confirm", { params: { path: { need_id: id } } }));
export const verifyContract = (id: number) =>
  call(api.POST("/api/v1/match-needs/{need_id}/contract/verify", { params: { path: { need_id: id } } }));
