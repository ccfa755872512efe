// Events 对接活动 and talent needs 用人用工 (srdi.matchmaking.events_router).
import { EventKindLabels } from "@/generated/labels";
import { optionsOf } from "@/kit/labels";
import { api, call, type Schemas } from "@/api/client";

export type MatchEvent = Schemas["MatchEventOut"];
export type EventDetail = Schemas["EventDetailOut"];
export type EventBody = Schemas["EventIn"];
export type Talent = Schemas["TalentOut"];
export type TalentDetail = Schemas["TalentDetailOut"];
export type TalentBody = Schemas["TalentIn"];
export type Figures = Schemas["FiguresOut"];

const ev = (id: number) => ({ params: { path: { event_id: id } } });
const tn = (id: number) => ({ params: { path: { need_id: id } } });

export const listEvents = (view: "manage" | "open" | "mine") =>
  call(api.GET("/api/v1/match-events", { params: { query: { view } } }));
export const getEvent = (id: number) => call(api.GET("/api/v1/match-events/{event_id}", ev(id)));
export const createEvent = (body: EventBody) => call(api.POST("/api/v1/match-events", { body }));
export const eventAction = (id: number, action: "hold" | "cancel", note?: string) =>
  call(api.POST("/api/v1/match-events/{event_id}/transitions", { ...ev(id), body: { action, note } }));
export const registerEvent = (id: number, note?: string) =>
  call(api.POST("/api/v1/match-events/{event_id}/registration", { ...ev(id), body: { note } }));
export const unregisterEvent = (id: number) => call(api.DELETE("/api/v1/match-events/{event_id}/registration", ev(id)));
export const recordAttendance = (id: number, ids: number[]) =>
  call(api.POST("/api/v1/match-events/{event_id}/attendance", { ...ev(id), body: { attended_enterprise_ids: ids } }));
export const addMeeting = (id: number, body: Schemas["MeetingIn"]) =>
  call(api.POST("/api/v1/match-events/{event_id}/meetings", { ...ev(id), body }));
export const addOutcome = (id: number, body: Schemas["OutcomeIn"]) =>
  call(api.POST("/api/v1/match-events/{event_id}/outcomes", { ...ev(id), body }));
export const confirmOutcome = (id: number) =>
  call(api.POST("/api/v1/match-outcomes/{outcome_id}/confirm", { params: { path: { outcome_id: id } } }));
export const verifyOutcome = (id: number) =>
  call(api.POST("/api/v1/match-outcomes/{outcome_id}/verify", { params: { path: { outcome_id: id } } }));
export const myMeetings = () => call(api.GET("/api/v1/match-meetings"));

export const listTalent = (view: "mine" | "district") => call(api.GET("/api/v1/match-talent", { params: { query: { view } } }));
export const getTalent = (id: number) => call(api.GET("/api/v1/match-talent/{need_id}", tn(id)));
export const postTalent = (body: TalentBody) => call(api.POST("/api/v1/match-talent", { body }));
export const talentAction = (id: number, action: "respond" | "close", note?: string) =>
  call(api.POST("/api/v1/match-talent/{need_id}/transitions", { ...tn(id), body: { action, note } }));
export const talentOutcome = (id: number, body: Schemas["TalentOutcomeIn"]) =>
  call(api.POST("/api/v1/match-talent/{need_id}/outcomes", { ...tn(id), body }));
export const figures = (year?: number) => call(api.GET("/api/v1/match-figures", { params: { query: { year } } }));

export const EVENT_KINDS = optionsOf(EventKindLabels);
export const EVENT_STATUS_TAG: Record<string, "success" | "primary" | "info"> = { open: "primary", held: "success", cancelled: "info" };
export const TALENT_STATUS_TAG: Record<string, "success" | "primary" | "info"> = { open: "primary", filled: "success", closed: "info" };
