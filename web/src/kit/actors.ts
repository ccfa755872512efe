// Who did it, as a person reads it: the demo generator and loader record themselves as "srdi demo" — shown as
// 系统（演示数据）, not as a command name (issue 15 walkthrough).
const SYSTEM_ACTORS: Record<string, string> = { "srdi demo": "系统（演示数据）", system: "系统" };

export function actorName(actor: string | null | undefined): string {
  if (!actor) return "—";
  return SYSTEM_ACTORS[actor] ?? actor;
}
