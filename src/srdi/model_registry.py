"""Imports every domain's models so that Alembic and ``Base.metadata`` see all tables.

At the top of the package, beside the app, not in ``srdi.db``: the database plumbing is shared by every domain
and so must not import any of them (decision 0018). A new domain adds its models here.
"""

from srdi.appeal import models as appeal_models
from srdi.application import models as application_models
from srdi.auth import models as auth_models
from srdi.auto_grant import models as auto_grant_models
from srdi.casework import models as casework_models
from srdi.criteria import models as criteria_models
from srdi.db.base import Base
from srdi.enterprise import models as enterprise_models
from srdi.finance import models as finance_models
from srdi.matchmaking import models as matchmaking_models
from srdi.monitoring import models as monitoring_models
from srdi.notification import models as notification_models
from srdi.policy import models as policy_models

__all__ = [
    "Base",
    "appeal_models",
    "application_models",
    "auth_models",
    "auto_grant_models",
    "casework_models",
    "criteria_models",
    "enterprise_models",
    "finance_models",
    "matchmaking_models",
    "monitoring_models",
    "notification_models",
    "policy_models",
]
