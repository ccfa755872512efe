import { api, call, type Schemas } from "@/api/client";

export type RegionCount = Schemas["RegionCount"];
export type IndustryCount = Schemas["IndustryCount"];
export type DistrictSummary = Schemas["DistrictSummary"];

export const listRegions = () => call(api.GET("/api/v1/monitoring/regions"));
export const listIndustries = () => call(api.GET("/api/v1/monitoring/industries"));
export const getDistrictSummary = (region?: string, as_of?: string) =>
  call(api.GET("/api/v1/monitoring/district-summary", { params: { query: { region, as_of } } }));

export type Overview = Schemas["OverviewOut"];
export type TargetProgress = Schemas["TargetProgressOut"];
export type TargetIn = Schemas["TargetIn"];
export type Measure = Schemas["MeasureOut"];
export type Report = Schemas["ReportOut"];

export const getOverview = (region?: string, period?: string) =>
  call(api.GET("/api/v1/monitoring/overview", { params: { query: { region, period } } }));
export const listMeasures = () => call(api.GET("/api/v1/monitoring/measures"));
export const putTarget = (body: TargetIn) => call(api.PUT("/api/v1/monitoring/targets", { body }));
export const createReport = (period: string, region_code: string, fmt: "xlsx" | "pdf" | "html") =>
  call(api.POST("/api/v1/monitoring/reports", { body: { period, region_code, fmt } }));
export const getReport = (id: number) =>
  call(api.GET("/api/v1/monitoring/reports/{report_id}", { params: { path: { report_id: id } } }));
export const listReports = () => call(api.GET("/api/v1/monitoring/reports"));
export const reportFileUrl = (id: number) => `/api/v1/monitoring/reports/${id}/file`;
