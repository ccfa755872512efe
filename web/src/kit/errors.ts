// The backend answers errors as {code, message (Chinese), message_en, details}; the UI shows `message`.
import { ElMessage } from "element-plus";

export interface FieldError {
  field?: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public details: unknown = null,
  ) {
    super(message);
  }

  /** Per-field messages of a 422, when the backend gave them. */
  get fieldErrors(): FieldError[] {
    return Array.isArray(this.details)
      ? (this.details as FieldError[]).filter((d) => d && typeof d.message === "string")
      : [];
  }
}

export function toApiError(status: number, body: unknown): ApiError {
  if (body && typeof body === "object" && "message" in body && typeof body.message === "string") {
    const b = body as { code?: string; message: string; details?: unknown };
    return new ApiError(status, b.code ?? `http_${status}`, b.message, b.details ?? null);
  }
  return new ApiError(status, `http_${status}`, status === 0 ? "无法连接服务器，请检查网络" : `请求失败（${status}）`);
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    const fields = err.fieldErrors.map((f) => (f.field ? `${f.field}：${f.message}` : f.message));
    return fields.length ? `${err.message}：${fields.join("；")}` : err.message;
  }
  if (err instanceof TypeError) return "无法连接服务器，请检查网络";
  return "操作失败，请稍后重试";
}

export function showError(err: unknown): void {
  ElMessage.error({ message: errorMessage(err), duration: 6000, showClose: true });
}
