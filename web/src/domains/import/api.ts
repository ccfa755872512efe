// Registry import/export (srdi.enterprise.import_router). Uploads and downloads use rawFetch: multipart bodies
// and file responses are outside what the generated client types.
import { api, call, downloadResponse, rawFetch, type Schemas } from "@/api/client";

export type ImportJob = Schemas["ImportJobOut"];
export type ImportReport = Schemas["ImportReportOut"];
export type ImportMode = "all_or_nothing" | "valid_rows_only";

export async function downloadTemplate(format: "xlsx" | "csv"): Promise<void> {
  const r = await rawFetch(`/api/v1/imports/template?format=${format}`);
  await downloadResponse(r, `企业信息导入模板.${format}`);
}

export async function startImport(file: File, mode: ImportMode, dryRun: boolean): Promise<ImportJob> {
  const form = new FormData();
  form.append("file", file, file.name);
  form.append("mode", mode);
  form.append("dry_run", dryRun ? "true" : "false");
  const r = await rawFetch("/api/v1/imports", { method: "POST", body: form });
  return (await r.json()) as ImportJob;
}

export const getJob = (id: number) => call(api.GET("/api/v1/imports/{job_id}", { params: { path: { job_id: id } } }));
export const getReport = (id: number) =>
  call(api.GET("/api/v1/imports/{job_id}/report", { params: { path: { job_id: id } } }));
export const listJobs = () => call(api.GET("/api/v1/imports", { params: { query: { page: 1, page_size: 10 } } }));

export async function downloadReport(id: number): Promise<void> {
  const r = await rawFetch(`/api/v1/imports/${id}/report.xlsx`);
  await downloadResponse(r, `导入错误清单_${id}.xlsx`);
}

export const FINISHED = new Set(["validated", "succeeded", "partially_succeeded", "rejected", "failed", "interrupted"]);

export interface ExportFilters {
  q?: string;
  region?: string;
  industry?: string;
  size_class?: string;
  tier?: string;
}

/** Export of the registry with the same filters as the list (the server limits it to the user's scope). */
export async function exportEnterprises(filters: ExportFilters, format: "xlsx" | "csv"): Promise<void> {
  const params = new URLSearchParams({ format });
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
  const r = await rawFetch(`/api/v1/exports/enterprises?${params.toString()}`);
  await downloadResponse(r, `企业信息导出.${format}`);
}
