"""The /api/v1 router: every domain's router is mounted here."""

from fastapi import APIRouter

from srdi.auth.router import admin_router
from srdi.auth.router import router as auth_router
from srdi.enterprise.import_router import router as import_router
from srdi.enterprise.router import router as enterprise_router

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(enterprise_router)
api_router.include_router(auth_router)
api_router.include_router(admin_router)
api_router.include_router(import_router)
