"""Who may call the matchmaking routes: the role dependencies the needs' and the events' routers share.

Needs (揭榜挂帅) and events or talent needs answer the same callers: every enterprise account and official
(``MatchUser``), an enterprise acting for itself (``SelfUser``), a chain leader (``Leader``), whoever may post a
need or organise an event (``Organiser``: officials and chain leaders) and officials alone (``Official``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from srdi.auth.dependencies import require_roles
from srdi.auth.enums import ENTERPRISE_SELF, OFFICIALS, Role
from srdi.auth.service import Principal

MATCH_USERS = (Role.admin, *OFFICIALS, *ENTERPRISE_SELF)
ORGANISERS = (Role.admin, *OFFICIALS, Role.chain_leader)

MatchUser = Annotated[Principal, Depends(require_roles(*MATCH_USERS))]
Organiser = Annotated[Principal, Depends(require_roles(*ORGANISERS))]
SelfUser = Annotated[Principal, Depends(require_roles(*ENTERPRISE_SELF))]
Leader = Annotated[Principal, Depends(require_roles(Role.chain_leader))]
Official = Annotated[Principal, Depends(require_roles(Role.admin, *OFFICIALS))]
