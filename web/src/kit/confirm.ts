// One confirmation for every action that cannot be taken back (拨付, 公示归档, 发布, 审核通过/退回, 不予受理, 办结,
// 撤回, 删除 …): the title names the action, the message names the object and says what will happen. Issue 15.3;
// tests/ux/test_confirmations.py fails when a button calls such an operation without it.
import { ElMessageBox } from "element-plus";

export interface Irreversible {
  /** The action as the button says it: 拨付, 公示归档, 发布 … */
  action: string;
  /** What it acts on, by name: 「2026年度 研发补助」, 企业「深圳市…有限公司」. */
  object: string;
  /** What will happen, in a sentence or two. */
  consequence: string;
  /** Whether it can be undone later by another action (停用 → 启用); by default it cannot. */
  undoable?: boolean;
  danger?: boolean;
}

function message(what: Irreversible): string {
  const tail = what.undoable ? "" : "此操作不可撤销。";
  return `将${what.action}：${what.object}。${what.consequence}${tail}`;
}

/** Asks before an irreversible action; resolves true only when the user confirms. */
export async function confirmIrreversible(what: Irreversible): Promise<boolean> {
  try {
    await ElMessageBox.confirm(message(what), `确认${what.action}`, {
      type: "warning",
      confirmButtonText: `确认${what.action}`,
      cancelButtonText: "取消",
      confirmButtonClass: what.danger ? "el-button--danger" : undefined,
      customClass: "confirm-irreversible",
      closeOnClickModal: false,
    });
    return true;
  } catch {
    return false;
  }
}

export interface PromptInput {
  placeholder?: string;
  inputType?: "text" | "password" | "textarea";
  pattern?: RegExp;
  error?: string;
}

/** Asks for what an irreversible action needs (不通过 的理由, a new password …); resolves it, or null when cancelled. */
export async function promptReason(what: Irreversible, input: PromptInput = {}): Promise<string | null> {
  try {
    const r = await ElMessageBox.prompt(message(what), `确认${what.action}`, {
      type: "warning",
      confirmButtonText: `确认${what.action}`,
      cancelButtonText: "取消",
      inputPlaceholder: input.placeholder ?? "请写明理由",
      inputType: input.inputType ?? "text",
      inputPattern: input.pattern ?? /\S/,
      inputErrorMessage: input.error ?? "理由不能为空",
      customClass: "confirm-irreversible",
      closeOnClickModal: false,
    });
    return r.value.trim();
  } catch {
    return null;
  }
}
