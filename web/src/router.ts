import { defineComponent } from "vue";
import { createRouter, createWebHistory, type RouteRecordRaw } from "vue-router";
import { onUnauthorized } from "@/api/client";
import { ADMIN_ROLES, BATCH_ROLES, DASHBOARD_ROLES, ENTERPRISE_ROLES, homeFor, IMPORT_ROLES, REGISTRY_ROLES } from "@/domains/auth/roles";
import { forgetSession, loadSession, type SessionUser } from "@/domains/auth/session";
import { APPLICATION_BATCH_ROLES, APPLICATION_ROLES, EXPERT_ROLES } from "@/domains/auth/roles";
import { FINANCE_LIST_ROLES, FINANCE_REQUEST_ROLES } from "@/domains/auth/roles";
import { APPEAL_FILER_ROLES, APPEAL_KPI_ROLES, APPEAL_ROLES, MATCH_OFFICIAL_ROLES, MATCH_ROLES, POLICY_MANAGER_ROLES, VERIFIER_ROLES } from "@/domains/auth/roles";

const ALL = undefined;

// Shown for the instant between opening a "my" path and the guard sending the user on.
const Resolving = defineComponent({ render: () => null });

function ownPage(user: SessionUser, suffix: string): string {
  return user.enterprise_id ? `/enterprises/${user.enterprise_id}${suffix}` : homeFor(user);
}

const routes: RouteRecordRaw[] = [
  { path: "/login", component: () => import("@/domains/auth/LoginPage.vue"), meta: { public: true, title: "登录" } },
  {
    path: "/self-test",
    component: () => import("@/domains/self_test/SelfTestPage.vue"),
    meta: { public: true, title: "企业自测" },
  },
  // Printable pages (认定证书、公告通知): outside the layout so the print shows only the document.
  {
    path: "/enterprises/:enterpriseId(\\d+)/recognitions/:recognitionId(\\d+)/certificate",
    component: () => import("@/domains/application/CertificatePage.vue"),
    meta: { title: "认定证书", roles: [...REGISTRY_ROLES, ...ENTERPRISE_ROLES] },
    props: (r) => ({ enterpriseId: Number(r.params.enterpriseId), recognitionId: Number(r.params.recognitionId) }),
  },
  {
    path: "/application-batches/:batchId(\\d+)/notice",
    component: () => import("@/domains/application/AnnouncementNoticePage.vue"),
    meta: { title: "公告通知", roles: APPLICATION_ROLES },
    props: (r) => ({ batchId: Number(r.params.batchId) }),
  },
  {
    path: "/",
    component: () => import("@/kit/layout/AppLayout.vue"),
    children: [
      // Paths that stand for "my own page": resolved in the guard below, after the session is known. A route-level
      // redirect would run before the session is loaded, so a bookmarked /my landed on 工作台 (issue 15).
      { path: "", name: "home", component: Resolving, meta: { resolve: (u: SessionUser) => homeFor(u) } },
      { path: "my", component: Resolving, meta: { resolve: (u: SessionUser) => ownPage(u, "") } },
      { path: "welcome", component: () => import("@/domains/auth/WelcomePage.vue"), meta: { title: "工作台", roles: ALL } },
      {
        path: "applications",
        component: () => import("@/domains/application/ApplicationsPage.vue"),
        meta: { title: "申报审核", roles: APPLICATION_ROLES },
      },
      {
        path: "applications/:id(\\d+)",
        component: () => import("@/domains/application/ApplicationDetailPage.vue"),
        meta: { title: "申报详情", roles: APPLICATION_ROLES },
        props: (r) => ({ id: Number(r.params.id) }),
      },
      {
        path: "dynamic",
        component: () => import("@/domains/application/DynamicManagementPage.vue"),
        meta: { title: "动态管理", roles: APPLICATION_ROLES },
      },
      {
        path: "application-batches",
        component: () => import("@/domains/application/BatchesPage.vue"),
        meta: { title: "申报批次", roles: APPLICATION_BATCH_ROLES },
      },
      {
        path: "expert",
        component: () => import("@/domains/application/ExpertAssignmentsPage.vue"),
        meta: { title: "评审任务", roles: EXPERT_ROLES },
      },
      {
        path: "enterprises",
        component: () => import("@/domains/enterprise/RegistryPage.vue"),
        meta: { title: "企业信息库", roles: REGISTRY_ROLES },
      },
      {
        path: "enterprises/:id(\\d+)",
        component: () => import("@/domains/enterprise/EnterpriseHome.vue"),
        meta: { title: "一企一档", roles: [...REGISTRY_ROLES, ...ENTERPRISE_ROLES] },
        props: (r) => ({ id: Number(r.params.id) }),
      },
      { path: "my/assessment", component: Resolving, meta: { resolve: (u: SessionUser) => ownPage(u, "/assessment") } },
      {
        path: "enterprises/:id(\\d+)/assessment",
        component: () => import("@/domains/criteria/SelfAssessmentPage.vue"),
        meta: { title: "梯度自评", roles: [...REGISTRY_ROLES, ...ENTERPRISE_ROLES] },
        props: (r) => ({ id: Number(r.params.id) }),
      },
      {
        path: "batch",
        component: () => import("@/domains/criteria/BatchPage.vue"),
        meta: { title: "批量评价", roles: BATCH_ROLES },
      },
      {
        path: "import",
        component: () => import("@/domains/import/ImportPage.vue"),
        meta: { title: "数据导入", roles: IMPORT_ROLES },
      },
      {
        path: "dashboard",
        component: () => import("@/domains/monitoring/DashboardPage.vue"),
        meta: { title: "区县看板", roles: DASHBOARD_ROLES },
      },
      {
        path: "my/policies",
        component: () => import("@/domains/policy/MyPoliciesPage.vue"),
        meta: { title: "我的政策", roles: ENTERPRISE_ROLES },
      },
      {
        path: "policies",
        component: () => import("@/domains/policy/PolicyLibraryPage.vue"),
        meta: { title: "政策库", roles: POLICY_MANAGER_ROLES },
      },
      {
        path: "grant-runs",
        component: () => import("@/domains/auto_grant/GrantRunsPage.vue"),
        meta: { title: "免申即享", roles: POLICY_MANAGER_ROLES },
      },
      {
        path: "verifications",
        component: () => import("@/domains/policy/VerificationQueuePage.vue"),
        meta: { title: "核验队列", roles: VERIFIER_ROLES },
      },
      {
        path: "account/password",
        component: () => import("@/domains/auth/PasswordPage.vue"),
        meta: { title: "修改密码", roles: ALL },
      },
      {
        path: "admin/users",
        component: () => import("@/domains/admin/UsersPage.vue"),
        meta: { title: "用户与角色", roles: ADMIN_ROLES },
      },
      {
        path: "admin/audit",
        component: () => import("@/domains/admin/AuditLogPage.vue"),
        meta: { title: "审计日志", roles: ADMIN_ROLES },
      },
      {
        path: "admin/rule-sets",
        component: () => import("@/domains/admin/RuleSetsPage.vue"),
        meta: { title: "规则版本", roles: ADMIN_ROLES },
      },
      {
        path: "admin/departments",
        component: () => import("@/domains/admin/DepartmentsPage.vue"),
        meta: { title: "责任单位", roles: ADMIN_ROLES },
      },
      {
        path: "admin/bank-accounts",
        component: () => import("@/domains/finance/BankAccountsPage.vue"),
        meta: { title: "银行账号", roles: ADMIN_ROLES },
      },
      {
        path: "admin/calendar",
        component: () => import("@/domains/admin/CalendarPage.vue"),
        meta: { title: "工作日历", roles: ADMIN_ROLES },
      },
      {
        path: "appeals",
        component: () => import("@/domains/appeal/AppealsPage.vue"),
        meta: { title: "诉求", roles: APPEAL_ROLES },
      },
      {
        path: "appeals/new",
        component: () => import("@/domains/appeal/NewAppealPage.vue"),
        meta: { title: "提交诉求", roles: APPEAL_FILER_ROLES },
      },
      {
        path: "appeals/:id(\\d+)",
        component: () => import("@/domains/appeal/AppealDetailPage.vue"),
        meta: { title: "诉求详情", roles: APPEAL_ROLES },
        props: (r) => ({ id: Number(r.params.id) }),
      },
      {
        path: "appeal-kpis",
        component: () => import("@/domains/appeal/AppealKpiPage.vue"),
        meta: { title: "诉求指标", roles: APPEAL_KPI_ROLES },
      },
      {
        path: "casework",
        component: () => import("@/domains/appeal/WorklistPage.vue"),
        meta: { title: "服务专员工作台", roles: ["service_commissioner"] },
      },
      {
        path: "finance/whitelists",
        component: () => import("@/domains/finance/WhitelistsPage.vue"),
        meta: { title: "融资白名单", roles: FINANCE_LIST_ROLES },
      },
      {
        path: "finance/whitelist-runs/:id(\\d+)",
        component: () => import("@/domains/finance/WhitelistRunPage.vue"),
        meta: { title: "白名单明细", roles: FINANCE_LIST_ROLES },
        props: (r) => ({ id: Number(r.params.id) }),
      },
      {
        path: "finance/products",
        component: () => import("@/domains/finance/ProductsPage.vue"),
        meta: { title: "贷款产品", roles: FINANCE_LIST_ROLES },
      },
      {
        path: "finance/requests",
        component: () => import("@/domains/finance/RequestsPage.vue"),
        meta: { title: "融资需求", roles: FINANCE_REQUEST_ROLES },
      },
      {
        path: "finance/figures",
        component: () => import("@/domains/finance/FiguresPage.vue"),
        meta: { title: "融资监测", roles: FINANCE_REQUEST_ROLES },
      },
      {
        path: "my/finance",
        component: () => import("@/domains/finance/MyFinancePage.vue"),
        meta: { title: "融资服务", roles: ENTERPRISE_ROLES },
      },
      {
        path: "matchmaking/needs",
        component: () => import("@/domains/matchmaking/NeedsPage.vue"),
        meta: { title: "供需对接", roles: MATCH_ROLES },
      },
      {
        path: "matchmaking/needs/new",
        component: () => import("@/domains/matchmaking/NewNeedPage.vue"),
        meta: { title: "发布需求", roles: ["chain_leader"] },
      },
      {
        path: "matchmaking/needs/:id(\\d+)",
        component: () => import("@/domains/matchmaking/NeedDetailPage.vue"),
        meta: { title: "需求详情", roles: MATCH_ROLES },
        props: (r) => ({ id: Number(r.params.id) }),
      },
      {
        path: "matchmaking/capabilities",
        component: () => import("@/domains/matchmaking/CapabilitiesPage.vue"),
        meta: { title: "我的能力与产品", roles: ENTERPRISE_ROLES },
      },
      {
        path: "matchmaking/bids",
        component: () => import("@/domains/matchmaking/MyBidsPage.vue"),
        meta: { title: "我的揭榜", roles: ENTERPRISE_ROLES },
      },
      {
        path: "matchmaking/events",
        component: () => import("@/domains/matchmaking/EventsPage.vue"),
        meta: { title: "对接活动", roles: MATCH_ROLES },
      },
      {
        path: "matchmaking/events/:id(\\d+)",
        component: () => import("@/domains/matchmaking/EventDetailPage.vue"),
        meta: { title: "活动详情", roles: MATCH_ROLES },
        props: (r) => ({ id: Number(r.params.id) }),
      },
      {
        path: "matchmaking/talent",
        component: () => import("@/domains/matchmaking/TalentPage.vue"),
        meta: { title: "用人用工", roles: MATCH_ROLES },
      },
      {
        path: "matchmaking/talent/:id(\\d+)",
        component: () => import("@/domains/matchmaking/TalentDetailPage.vue"),
        meta: { title: "用人需求详情", roles: MATCH_ROLES },
        props: (r) => ({ id: Number(r.params.id) }),
      },
      {
        path: "matchmaking/meetings",
        component: () => import("@/domains/matchmaking/MeetingsPage.vue"),
        meta: { title: "我的洽谈", roles: ["chain_leader"] },
      },
      {
        path: "matchmaking/figures",
        component: () => import("@/domains/matchmaking/MatchFiguresPage.vue"),
        meta: { title: "对接成效", roles: MATCH_OFFICIAL_ROLES },
      },
      { path: ":rest(.*)*", component: () => import("@/kit/layout/NotFound.vue"), meta: { title: "页面不存在" } },
    ],
  },
];

export const router = createRouter({ history: createWebHistory(), routes });

router.beforeEach(async (to) => {
  if (to.meta.public) return true;
  let user;
  try {
    user = await loadSession();
  } catch {
    user = null; // the server is unreachable: the login page says so when the user tries
  }
  if (!user) return { path: "/login", query: to.fullPath !== "/" ? { redirect: to.fullPath } : {} };
  const resolve = to.meta.resolve as ((u: SessionUser) => string) | undefined;
  if (resolve) return { path: resolve(user), query: to.query, hash: to.hash, replace: true };
  const roles = to.meta.roles as string[] | undefined;
  if (roles && !roles.includes(user.role)) return homeFor(user);
  return true;
});

router.afterEach((to) => {
  const title = to.meta.title as string | undefined;
  document.title = title ? `${title} · 专精特新企业梯度培育平台` : "专精特新企业梯度培育平台";
});

onUnauthorized(() => {
  forgetSession();
  const here = router.currentRoute.value;
  if (!here.meta.public) void router.push({ path: "/login", query: { redirect: here.fullPath, expired: "1" } });
});
