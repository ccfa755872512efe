"""Imports every domain's models so that Alembic and ``Base.metadata`` see all tables."""

from srdi.appeal import models as appeal_models
from srdi.auth import models as auth_models
from srdi.auto_grant import models as auto_grant_models
from srdi.casework import models as casework_models
from srdi.criteria import models as criteria_models
from srdi.db.base import Base
from srdi.enterprise import models as enterprise_models
from srdi.monitoring import models as monitoring_models
from srdi.notification import models as notification_models
from srdi.policy import models as policy_models

__all__ = [
    "Base",
    "appeal_models",
    "auth_models",
    "auto_grant_models",
    "casework_models",
    "criteria_models",
    "enterprise_models",
    "monitoring_models",
    "notification_models",
    "policy_models",
]
