import { api, call, rawFetch, type Schemas } from "@/api/client";

export type UserOut = Schemas["UserOut"];
export type UserCreateIn = Schemas["UserCreateIn"];
export type RoleOut = Schemas["RoleOut"];
export type AuditLogOut = Schemas["AuditLogOut"];
export type RuleSetSummary = Schemas["RuleSetSummary"];
export type CalendarOut = Schemas["CalendarOut"];
export type CalendarYearOut = Schemas["CalendarYearOut"];
export type CalendarDayIn = Schemas["CalendarDayIn"];

export interface AuditQuery {
  action?: string;
  username?: string;
  object_type?: string;
  object_id?: string;
  since?: string;
  until?: string;
}

export const listUsers = (page: number, page_size: number, role?: string, active?: boolean) =>
  call(api.GET("/api/v1/admin/users", { params: { query: { page, page_size, role: role as never, active } } }));
export const listRoles = () => call(api.GET("/api/v1/admin/roles"));
export const createUser = (body: UserCreateIn) => call(api.POST("/api/v1/admin/users", { body }));
export const deactivateUser = (user_id: number) =>
  call(api.POST("/api/v1/admin/users/{user_id}/deactivate", { params: { path: { user_id } } }));
export const activateUser = (user_id: number) =>
  call(api.POST("/api/v1/admin/users/{user_id}/activate", { params: { path: { user_id } } }));
export const resetPassword = (user_id: number, new_password: string) =>
  call(api.POST("/api/v1/admin/users/{user_id}/reset-password", { params: { path: { user_id } }, body: { new_password } }));
export const changeOwnPassword = (old_password: string, new_password: string) =>
  call(api.POST("/api/v1/auth/password", { body: { old_password, new_password } }));
export const listAudit = (q: AuditQuery, page: number, page_size: number) =>
  call(api.GET("/api/v1/admin/audit-log", { params: { query: { ...q, page, page_size } } }));
export const listRuleSets = () => call(api.GET("/api/v1/rule-sets"));
export const getCalendar = () => call(api.GET("/api/v1/admin/calendar"));
export const getCalendarYear = (year: number) =>
  call(api.GET("/api/v1/admin/calendar/{year}", { params: { path: { year } } }));
export const saveCalendarYear = (year: number, days: CalendarDayIn[]) =>
  call(api.PUT("/api/v1/admin/calendar/{year}", { params: { path: { year } }, body: { days } }));

/** The CSV of the audit rows that match ``q`` (the export is audited on the server). */
export async function downloadAuditCsv(q: AuditQuery): Promise<void> {
  const params = new URLSearchParams(Object.entries(q).filter(([, v]) => v) as [string, string][]);
  const r = await rawFetch(`/api/v1/admin/audit-log.csv?${params}`);
  const blob = await r.blob();
  const name = /filename="([^"]+)"/.exec(r.headers.get("content-disposition") ?? "")?.[1] ?? "audit-log.csv";
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  URL.revokeObjectURL(a.href);
}
