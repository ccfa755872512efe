// What each role can open in the UI. The backend enforces access; this only decides what the menu offers,
// so nobody is shown a page that would answer 403.
export const OFFICIAL_ROLES = ["district_official", "city_official", "provincial_official"];
export const REGISTRY_ROLES = [...OFFICIAL_ROLES, "service_commissioner", "admin"];
export const IMPORT_ROLES = [...OFFICIAL_ROLES, "admin"];
export const DASHBOARD_ROLES = [...OFFICIAL_ROLES, "admin"];
export const ENTERPRISE_ROLES = ["enterprise", "chain_leader"];
// Policy drafts, sandbox and 免申即享 runs: officials and administrators (the backend checks the region).
export const POLICY_MANAGER_ROLES = [...OFFICIAL_ROLES, "admin"];
export const BATCH_ROLES = [...OFFICIAL_ROLES, "admin"];
// 待核验 queue: officials, administrators and commissioners, each in their region (decision 0012-provenance).
export const VERIFIER_ROLES = [...OFFICIAL_ROLES, "service_commissioner", "admin"];
export const ADMIN_ROLES = ["admin"];
// Appeals (诉求): enterprises file and follow theirs; officials, commissioners and handlers work on them.
export const APPEAL_ROLES = [...ENTERPRISE_ROLES, ...OFFICIAL_ROLES, "service_commissioner", "department_handler", "admin"];
export const APPEAL_FILER_ROLES = [...ENTERPRISE_ROLES, ...OFFICIAL_ROLES, "service_commissioner", "admin"];
export const APPEAL_KPI_ROLES = [...OFFICIAL_ROLES, "service_commissioner", "admin"];
// Applications (申报与审核): enterprises apply; officials review at their level; provincial officials open batches.
export const APPLICATION_ROLES = [...ENTERPRISE_ROLES, ...OFFICIAL_ROLES, "admin"];
export const APPLICATION_BATCH_ROLES = ["provincial_official", "admin"];
export const EXPERT_ROLES = ["expert"];

// Financing (产融对接): officials manage whitelists and review products; banks work on lists, products, requests.
export const FINANCE_MANAGER_ROLES = [...OFFICIAL_ROLES, "admin"];
export const FINANCE_LIST_ROLES = [...FINANCE_MANAGER_ROLES, "bank"];
export const FINANCE_REQUEST_ROLES = [...FINANCE_MANAGER_ROLES, "bank"];
// 供需对接 / 揭榜挂帅: leaders post needs, enterprises bid and publish capabilities, officials review.
export const MATCH_ROLES = [...ENTERPRISE_ROLES, ...OFFICIAL_ROLES, "admin"];
export const MATCH_OFFICIAL_ROLES = [...OFFICIAL_ROLES, "admin"];

export interface MenuItem {
  path: string;
  title: string;
  icon: string;
  roles: string[];
}

// Roles without a module of their own land on a 工作台 page that says so (none left: every role has work).
export const WELCOME_ROLES: string[] = [];

export const MENU: MenuItem[] = [
  { path: "/welcome", title: "工作台", icon: "House", roles: WELCOME_ROLES },
  { path: "/expert", title: "评审任务", icon: "Checked", roles: EXPERT_ROLES },
  { path: "/my", title: "我的企业档案", icon: "OfficeBuilding", roles: ENTERPRISE_ROLES },
  { path: "/my/assessment", title: "梯度自评", icon: "Medal", roles: ENTERPRISE_ROLES },
  { path: "/enterprises", title: "企业信息库", icon: "Files", roles: REGISTRY_ROLES },
  { path: "/import", title: "数据导入", icon: "Upload", roles: IMPORT_ROLES },
  { path: "/batch", title: "批量评价", icon: "Histogram", roles: BATCH_ROLES },
  { path: "/dashboard", title: "区县看板", icon: "DataAnalysis", roles: DASHBOARD_ROLES },
  { path: "/my/policies", title: "我的政策", icon: "Files", roles: ENTERPRISE_ROLES },
  { path: "/policies", title: "政策库", icon: "Files", roles: POLICY_MANAGER_ROLES },
  { path: "/grant-runs", title: "免申即享", icon: "DataAnalysis", roles: POLICY_MANAGER_ROLES },
  { path: "/verifications", title: "核验队列", icon: "Checked", roles: VERIFIER_ROLES },
  { path: "/casework", title: "专员工作台", icon: "House", roles: ["service_commissioner"] },
  { path: "/finance/requests", title: "融资需求", icon: "Money", roles: FINANCE_REQUEST_ROLES },
  { path: "/finance/whitelists", title: "融资白名单", icon: "List", roles: FINANCE_LIST_ROLES },
  { path: "/finance/products", title: "贷款产品", icon: "Wallet", roles: FINANCE_LIST_ROLES },
  { path: "/finance/figures", title: "融资监测", icon: "DataAnalysis", roles: FINANCE_REQUEST_ROLES },
  { path: "/my/finance", title: "融资服务", icon: "Money", roles: ENTERPRISE_ROLES },
  { path: "/appeals", title: "诉求", icon: "ChatLineSquare", roles: APPEAL_ROLES },
  { path: "/appeal-kpis", title: "诉求指标", icon: "DataAnalysis", roles: APPEAL_KPI_ROLES },
  { path: "/matchmaking/needs", title: "供需对接", icon: "Connection", roles: MATCH_ROLES },
  { path: "/matchmaking/capabilities", title: "我的能力与产品", icon: "Box", roles: ENTERPRISE_ROLES },
  { path: "/matchmaking/bids", title: "我的揭榜", icon: "Flag", roles: ENTERPRISE_ROLES },
  { path: "/matchmaking/events", title: "对接活动", icon: "Calendar", roles: MATCH_ROLES },
  { path: "/matchmaking/meetings", title: "我的洽谈", icon: "ChatDotRound", roles: ["chain_leader"] },
  { path: "/matchmaking/talent", title: "用人用工", icon: "UserFilled", roles: MATCH_ROLES },
  { path: "/matchmaking/figures", title: "对接成效", icon: "DataAnalysis", roles: MATCH_OFFICIAL_ROLES },
  { path: "/applications", title: "申报审核", icon: "Document", roles: APPLICATION_ROLES },
  { path: "/application-batches", title: "申报批次", icon: "Calendar", roles: APPLICATION_BATCH_ROLES },
  { path: "/dynamic", title: "动态管理", icon: "Files", roles: APPLICATION_ROLES },
  { path: "/admin/users", title: "用户与角色", icon: "User", roles: ADMIN_ROLES },
  { path: "/admin/audit", title: "审计日志", icon: "Document", roles: ADMIN_ROLES },
  { path: "/admin/rule-sets", title: "规则版本", icon: "Medal", roles: ADMIN_ROLES },
  { path: "/admin/departments", title: "责任单位", icon: "OfficeBuilding", roles: ADMIN_ROLES },
  { path: "/admin/calendar", title: "工作日历", icon: "Calendar", roles: ADMIN_ROLES },
  { path: "/admin/bank-accounts", title: "银行账号", icon: "Wallet", roles: ADMIN_ROLES },
];

export function menuFor(role: string | undefined): MenuItem[] {
  return role ? MENU.filter((m) => m.roles.includes(role)) : [];
}

/** Where a role lands after signing in. */
export function homeFor(user: { role: string; enterprise_id: number | null }): string {
  if (ADMIN_ROLES.includes(user.role)) return "/admin/users";
  // A chain leader's work is its needs and challenges: their matches, bidders and progress.
  if (user.role === "chain_leader") return "/matchmaking/needs";
  if (ENTERPRISE_ROLES.includes(user.role) && user.enterprise_id) return `/enterprises/${user.enterprise_id}`;
  if (user.role === "service_commissioner") return "/casework";
  if (user.role === "department_handler") return "/appeals";
  if (EXPERT_ROLES.includes(user.role)) return "/expert";
  if (user.role === "bank") return "/finance/requests";
  if (DASHBOARD_ROLES.includes(user.role)) return "/dashboard";
  if (REGISTRY_ROLES.includes(user.role)) return "/enterprises";
  return "/welcome";
}
// Awards decide recognition routes (创客中国 企业组 lists): officials and administrators record them.
export const AWARD_WRITER_ROLES = [...OFFICIAL_ROLES, "admin"];
