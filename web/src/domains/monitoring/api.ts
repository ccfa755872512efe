import { api, call, type Schemas } from "@/api/client";

export type RegionCount = Schemas["RegionCount"];
export type IndustryCount = Schemas["IndustryCount"];
export type DistrictSummary = Schemas["DistrictSummary"];

export const listRegions = () => call(api.GET("/api/v1/monitoring/regions"));
export const listIndustries = () => call(api.GET("/api/v1/monitoring/industries"));
export const getDistrictSummary = (region?: string, as_of?: string) =>
  call(api.GET("/api/v1/monitoring/district-summary", { params: { query: { region, as_of } } }));
