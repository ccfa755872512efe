"""The /api/v1 router: every domain's router is mounted here."""

from fastapi import APIRouter

from srdi.appeal.open311_router import router as open311_router
from srdi.appeal.router import router as appeal_router
from srdi.application.dynamic_router import router as dynamic_router
from srdi.application.router import router as application_router
from srdi.auth.router import admin_router
from srdi.auth.router import router as auth_router
from srdi.auto_grant.router import router as auto_grant_router
from srdi.casework.router import router as casework_router
from srdi.criteria.router import router as criteria_router
from srdi.enterprise.importing.router import router as import_router
from srdi.enterprise.router import router as enterprise_router
from srdi.finance.router import router as finance_router
from srdi.kit.errors import ERROR_RESPONSES
from srdi.matchmaking.events_router import router as match_events_router
from srdi.matchmaking.router import router as matchmaking_router
from srdi.monitoring.router import router as monitoring_router
from srdi.notification.router import router as notification_router
from srdi.policy.router import router as policy_router
from srdi.self_test.router import router as self_test_router

api_router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
api_router.include_router(enterprise_router)
api_router.include_router(auth_router)
api_router.include_router(admin_router)
api_router.include_router(monitoring_router)
api_router.include_router(import_router)
api_router.include_router(criteria_router)
api_router.include_router(policy_router)
api_router.include_router(notification_router)
api_router.include_router(auto_grant_router)
api_router.include_router(self_test_router)
api_router.include_router(appeal_router)
api_router.include_router(casework_router)
api_router.include_router(open311_router)
api_router.include_router(application_router)
api_router.include_router(dynamic_router)
api_router.include_router(finance_router)
api_router.include_router(matchmaking_router)
api_router.include_router(match_events_router)
