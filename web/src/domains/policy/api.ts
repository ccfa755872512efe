// Policy library, sandbox and precise push (srdi.policy.router).
import { api, call, type Schemas } from "@/api/client";
import { MatchStatusLabels, PolicyModeLabels } from "@/generated/labels";

export type Policy = Schemas["PolicyOut"];
export type Sandbox = Schemas["SandboxOut"];
export type MyPolicies = Schemas["MyPoliciesOut"];
export type Match = Schemas["MatchOut"];
export type InputProvenance = Schemas["InputProvenance"];
export type Notice = Schemas["NotificationOut"];
export type AnswerKey = Schemas["AnswerKeyOut"];
export type Verification = Schemas["VerificationOut"];

export const listPolicies = () => call(api.GET("/api/v1/policies"));
export const policyVersions = (key: string) =>
  call(api.GET("/api/v1/policies/{policy_key}/versions", { params: { path: { policy_key: key } } }));
export const createDraft = (key: string, body: Schemas["DraftIn"]) =>
  call(api.POST("/api/v1/policies/{policy_key}/drafts", { params: { path: { policy_key: key } }, body }));
export const runSandbox = (versionId: number, as_of?: string) =>
  call(api.POST("/api/v1/policy-versions/{version_id}/sandbox", { params: { path: { version_id: versionId } }, body: { as_of } }));
export const publishVersion = (versionId: number) =>
  call(api.POST("/api/v1/policy-versions/{version_id}/publish", { params: { path: { version_id: versionId } } }));
export const myPolicies = (enterpriseId: number) =>
  call(api.GET("/api/v1/enterprises/{enterprise_id}/policies", { params: { path: { enterprise_id: enterpriseId } } }));
export const notifications = (enterpriseId: number) =>
  call(api.GET("/api/v1/enterprises/{enterprise_id}/notifications", { params: { path: { enterprise_id: enterpriseId } } }));
export const markRead = (id: number) =>
  call(api.POST("/api/v1/notifications/{notification_id}/read", { params: { path: { notification_id: id } } }));
export const answerKeys = () => call(api.GET("/api/v1/policy-answer-keys"));
export const putAnswers = (enterpriseId: number, answers: Schemas["AnswerIn"][]) =>
  call(api.PUT("/api/v1/enterprises/{enterprise_id}/policy-answers", { params: { path: { enterprise_id: enterpriseId } }, body: { answers } }));

export const MODE_LABEL: Readonly<Record<string, string>> = PolicyModeLabels;
export const MODE_TAG: Record<string, "success" | "primary" | "warning"> = { auto_grant: "success", application: "primary", commitment: "warning" };
export const STATUS_LABEL: Readonly<Record<string, string>> = MatchStatusLabels;

// 待核验: the verification queue of the officials in scope (srdi.policy.router).
export const verificationQueue = (status: "pending" | "verified" | "rejected" = "pending") =>
  call(api.GET("/api/v1/verification-requests", { params: { query: { status } } }));
export const verifyRequest = (id: number, body: Schemas["VerifyIn"]) =>
  call(api.POST("/api/v1/verification-requests/{request_id}/verify", { params: { path: { request_id: id } }, body }));
export const rejectRequest = (id: number, reason: string) =>
  call(api.POST("/api/v1/verification-requests/{request_id}/reject", { params: { path: { request_id: id } }, body: { reason } }));
