// Registry calls, typed from the OpenAPI document.
import { api, call, type Schemas } from "@/api/client";

export type EnterpriseSummary = Schemas["EnterpriseSummary"];
export type EnterpriseDetail = Schemas["EnterpriseDetail"];
export type YearlyFigure = Schemas["YearlyFigureOut"];
export type Facts = Schemas["FactsOut"];
export type Recognition = Schemas["RecognitionOut"];
export type ChangeLog = Schemas["ChangeLogOut"];

export interface RegistryQuery {
  q?: string;
  region?: string;
  industry?: string;
  size_class?: "large" | "medium" | "small" | "micro";
  tier?: "tech_sme" | "innovative_sme" | "tech_innovative_sme" | "srdi_sme" | "little_giant" | "single_champion";
  page: number;
  page_size: number;
  sort: "id" | "name" | "uscc" | "updated_at";
  desc: boolean;
}

export const listEnterprises = (query: RegistryQuery) =>
  call(api.GET("/api/v1/enterprises", { params: { query } }));
export const getEnterprise = (id: number) =>
  call(api.GET("/api/v1/enterprises/{enterprise_id}", { params: { path: { enterprise_id: id } } }));
export const getYearlyFigures = (id: number) =>
  call(api.GET("/api/v1/enterprises/{enterprise_id}/yearly-figures", { params: { path: { enterprise_id: id } } }));
export const getFacts = (id: number) =>
  call(api.GET("/api/v1/enterprises/{enterprise_id}/facts", { params: { path: { enterprise_id: id } } }));
export const getRecognitions = (id: number) =>
  call(api.GET("/api/v1/enterprises/{enterprise_id}/recognitions", { params: { path: { enterprise_id: id } } }));
export const getHistory = (id: number, page: number, page_size: number) =>
  call(
    api.GET("/api/v1/enterprises/{enterprise_id}/history", {
      params: { path: { enterprise_id: id }, query: { page, page_size } },
    }),
  );

export type YearlyFigureIn = Schemas["YearlyFigureIn"];
export const putYearlyFigures = (id: number, year: number, body: YearlyFigureIn) =>
  call(
    api.PUT("/api/v1/enterprises/{enterprise_id}/yearly-figures/{year}", {
      params: { path: { enterprise_id: id, year } },
      body,
    }),
  );

export type Award = Schemas["AwardOut"];
export type AwardIn = Schemas["AwardIn"];
export const listAwards = (id: number) =>
  call(api.GET("/api/v1/enterprises/{enterprise_id}/awards", { params: { path: { enterprise_id: id } } }));
export const createAward = (id: number, body: AwardIn) =>
  call(api.POST("/api/v1/enterprises/{enterprise_id}/awards", { params: { path: { enterprise_id: id } }, body }));
export const updateAward = (id: number, awardId: number, body: AwardIn) =>
  call(
    api.PUT("/api/v1/enterprises/{enterprise_id}/awards/{award_id}", {
      params: { path: { enterprise_id: id, award_id: awardId } },
      body,
    }),
  );
export const deleteAward = (id: number, awardId: number) =>
  call(
    api.DELETE("/api/v1/enterprises/{enterprise_id}/awards/{award_id}", {
      params: { path: { enterprise_id: id, award_id: awardId } },
    }),
  );
