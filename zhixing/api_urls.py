"""Composition root of the REST API: the one NinjaAPI instance (zhixing.core.api) with every app's router.

core builds the instance and knows no domain app (layering: core <- orgs <- study <- ...); this module, like
urls.py, sits above all apps and adds their routers. A new app with an API adds one line below.
zhixing/urls.py mounts `api.urls` at "api/v1/".
"""

from __future__ import annotations

from zhixing.assessment.api import router as assessment_router
from zhixing.board.api import router as board_router
from zhixing.core.api import api
from zhixing.directives.api import router as directives_router
from zhixing.ledger.api import router as ledger_router
from zhixing.orgs.api import router as orgs_router
from zhixing.review.api import router as review_router
from zhixing.study.api.compliance import router as study_router
from zhixing.study.api.plans import router as study_plans_router
from zhixing.supervision.api import router as supervision_router

api.add_router("/", orgs_router)
api.add_router("/", directives_router)
api.add_router("/", ledger_router)
api.add_router("/", supervision_router)
api.add_router("/", review_router)
api.add_router("/", board_router)
api.add_router("/", study_router)
api.add_router("/", study_plans_router)
api.add_router("/", assessment_router)

__all__ = ["api"]
